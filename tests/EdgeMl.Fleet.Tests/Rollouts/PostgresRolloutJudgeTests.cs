using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Rollouts;

[Collection(PostgresCollection.Name)]
public sealed class PostgresRolloutJudgeTests(PostgresServer server) : RolloutJudgeTests
{
    private protected override Task<TestDatabase> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
