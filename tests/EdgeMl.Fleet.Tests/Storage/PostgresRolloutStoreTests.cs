using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresRolloutStoreTests(PostgresServer server) : RolloutStoreTests
{
    private protected override Task<TestDatabase> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
