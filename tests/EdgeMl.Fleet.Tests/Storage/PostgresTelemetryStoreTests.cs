using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresTelemetryStoreTests(PostgresServer server) : TelemetryStoreTests
{
    private protected override bool ListsWithEveryBatch => true;

    private protected override Task<TestDatabase> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
