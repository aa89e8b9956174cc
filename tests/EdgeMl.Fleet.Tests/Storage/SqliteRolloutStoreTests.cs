using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Storage;

public sealed class SqliteRolloutStoreTests : RolloutStoreTests
{
    private protected override Task<TestDatabase> CreateDatabaseAsync() => SqliteTestDatabase.CreateAsync();
}
