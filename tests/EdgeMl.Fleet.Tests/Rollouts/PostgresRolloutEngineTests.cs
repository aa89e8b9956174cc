using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Rollouts;

[Collection(PostgresCollection.Name)]
public sealed class PostgresRolloutEngineTests(PostgresServer server) : RolloutEngineTests
{
    private protected override Task<TestDatabase> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
