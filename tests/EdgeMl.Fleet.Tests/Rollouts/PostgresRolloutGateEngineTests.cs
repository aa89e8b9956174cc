using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Rollouts;

[Collection(PostgresCollection.Name)]
public sealed class PostgresRolloutGateEngineTests(PostgresServer server) : RolloutGateEngineTests
{
    private protected override bool ReceiptTimesStayInOrder => false;

    private protected override Task<TestDatabase> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
