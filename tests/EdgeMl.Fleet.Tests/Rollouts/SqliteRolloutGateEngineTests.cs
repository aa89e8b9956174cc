using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Rollouts;

public sealed class SqliteRolloutGateEngineTests : RolloutGateEngineTests
{
    private protected override bool ReceiptTimesStayInOrder => true;

    private protected override Task<TestDatabase> CreateDatabaseAsync() => SqliteTestDatabase.CreateAsync();
}
