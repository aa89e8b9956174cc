using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Registry;

public sealed class SqliteModelRegistryTests : ModelRegistryTests
{
    private protected override Task<TestDatabase> CreateDatabaseAsync() => SqliteTestDatabase.CreateAsync();
}
