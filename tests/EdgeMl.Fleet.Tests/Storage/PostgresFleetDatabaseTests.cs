using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresFleetDatabaseTests(PostgresServer server) : FleetDatabaseTests
{
    private protected override Task<TestDatabase> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
