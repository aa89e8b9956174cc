using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Storage;

public sealed class SqliteModelStoreTests : ModelStoreTests
{
    private protected override Task<TestDatabase> CreateDatabaseAsync() => SqliteTestDatabase.CreateAsync();
}
