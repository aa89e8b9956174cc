using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresAuditStoreTests(PostgresServer server) : AuditStoreTests
{
    private protected override Task<TestDatabase> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
