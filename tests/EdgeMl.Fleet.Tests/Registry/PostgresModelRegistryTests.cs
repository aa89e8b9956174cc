using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Registry;

[Collection(PostgresCollection.Name)]
public sealed class PostgresModelRegistryTests(PostgresServer server) : ModelRegistryTests
{
    private protected override Task<TestDatabase> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
