using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Storage;

public sealed class SqliteTelemetryStoreTests : TelemetryStoreTests
{
    private protected override bool ListsWithEveryBatch => false;

    private protected override Task<TestDatabase> CreateDatabaseAsync() => SqliteTestDatabase.CreateAsync();
}
