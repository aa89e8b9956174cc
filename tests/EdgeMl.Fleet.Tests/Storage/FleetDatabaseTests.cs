using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Storage;

public abstract class FleetDatabaseTests : StoreTests
{
    [Fact]
    public async Task Records_every_migration_once_when_migrated_twice()
    {
        await Stores.Database.MigrateAsync(Timeout);

        var recorded = await ReadMigrationsAsync(Stores.Database);

        Assert.NotEmpty(SchemaMigrator.Migrations);
        Assert.Equal(SchemaMigrator.Migrations.Select(m => (m.Version, m.Name)), recorded);
    }

    [Fact]
    public async Task Applies_each_migration_once_when_several_servers_migrate_at_once()
    {
        await using var fresh = await CreateDatabaseAsync();
        var servers = Enumerable.Range(0, 4).Select(_ => fresh.Open()).ToArray();
        try
        {
            await RunConcurrentlyAsync(servers.Length, async i =>
            {
                await servers[i].MigrateAsync(Timeout);
                return i;
            });

            Assert.Equal(SchemaMigrator.Migrations.Select(m => (m.Version, m.Name)), await ReadMigrationsAsync(servers[0]));
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Serves_many_concurrent_writers_without_lock_errors()
    {
        await Stores.Devices.AddAsync(
            new DeviceRecord("cam-1", "secret", new Dictionary<string, string>(), T0, "cam-1.local", "1.0.0", null, null, null, null, null, 0, null, null),
            Timeout);

        await RunConcurrentlyAsync(32, async i =>
        {
            await Stores.Audit.AppendAsync(new AuditRecord(T0.AddSeconds(i), "admin", "test.write", $"cam-{i}", ""), Timeout);
            await Stores.DesiredStates.SetManyAsync([new DesiredStateChange($"cam-{i % 4}", $"m:v{i}", null, null, false, false)], T0.AddSeconds(i), Timeout);
            await Stores.Devices.TouchAsync("cam-1", T0.AddSeconds(i), [], Timeout);
            return i;
        });

        Assert.Equal(32, (await Stores.Audit.ListAsync(100, Timeout)).Count);
        Assert.Equal(32, (await Stores.DesiredStates.ListAsync(Timeout)).Sum(s => s.Revision));
    }

    [Fact]
    public async Task Rolls_back_the_whole_transaction_when_the_work_fails()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => Stores.Database.InTransactionAsync<int>(
            async (connection, transaction) =>
            {
                await connection.CreateCommand("INSERT INTO enrolment_tokens (token_hash, created_at, expires_at) VALUES ('h', 0, 1)", transaction)
                    .ExecuteAsync(Timeout);
                throw new InvalidOperationException("fails after the insert");
            },
            Timeout));

        Assert.Equal("fails after the insert", failure.Message);
        Assert.False(await Stores.Tokens.TryConsumeAsync("h", "dev-1", DateTimeOffset.FromUnixTimeMilliseconds(0), Timeout));
    }

    private async Task<List<(int Version, string Name)>> ReadMigrationsAsync(FleetDatabase database)
    {
        await using var connection = await database.OpenAsync(Timeout);
        var rows = await connection.CreateCommand("SELECT version, name FROM schema_migrations ORDER BY version")
            .QueryAsync(row => (row.GetInt(0), row.GetString(1)), Timeout);
        return [.. rows];
    }
}
