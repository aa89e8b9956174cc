using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresEnrolmentTokenStoreTests(PostgresServer server) : EnrolmentTokenStoreTests
{
    private protected override Task<TestDatabase> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
