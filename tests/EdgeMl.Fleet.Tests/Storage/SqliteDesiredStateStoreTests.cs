using EdgeMl.Fleet.Tests.Infrastructure;
using Xunit.Abstractions;

namespace EdgeMl.Fleet.Tests.Storage;

public sealed class SqliteDesiredStateStoreTests(ITestOutputHelper output) : DesiredStateStoreTests(output)
{
    private protected override Task<TestDatabase> CreateDatabaseAsync() => SqliteTestDatabase.CreateAsync();
}
