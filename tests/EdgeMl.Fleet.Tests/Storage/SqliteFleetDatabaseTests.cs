using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Storage;

public sealed class SqliteFleetDatabaseTests : FleetDatabaseTests
{
    [Fact]
    public async Task Opens_sqlite_in_wal_mode_with_foreign_keys_and_a_busy_timeout()
    {
        await using var connection = await Stores.Database.OpenAsync(Timeout);

        Assert.Equal("wal", await PragmaAsync(connection, "journal_mode"));
        Assert.Equal("1", await PragmaAsync(connection, "foreign_keys"));
        Assert.Equal("5000", await PragmaAsync(connection, "busy_timeout"));
    }

    private protected override Task<TestDatabase> CreateDatabaseAsync() => SqliteTestDatabase.CreateAsync();

    private async Task<string?> PragmaAsync(System.Data.Common.DbConnection connection, string name)
    {
        var rows = await connection.CreateCommand($"PRAGMA {name}").QueryAsync(row => Convert.ToString(row.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), Timeout);
        return rows[0];
    }
}
