using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresModelStoreTests(PostgresServer server) : ModelStoreTests
{
    private protected override Task<TestDatabase> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
