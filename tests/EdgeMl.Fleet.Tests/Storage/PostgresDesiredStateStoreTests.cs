using EdgeMl.Fleet.Tests.Infrastructure;
using Xunit.Abstractions;

namespace EdgeMl.Fleet.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresDesiredStateStoreTests(PostgresServer server, ITestOutputHelper output) : DesiredStateStoreTests(output)
{
    private protected override Task<TestDatabase> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
