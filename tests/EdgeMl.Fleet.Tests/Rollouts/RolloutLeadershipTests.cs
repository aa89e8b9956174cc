using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeMl.Fleet.Tests.Rollouts;

/// <summary>Which replica drives rollouts: one at a time on PostgreSQL, the other taking over when the leader's connection dies.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RolloutLeadershipTests(PostgresServer postgres)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Only_one_replica_leads_and_another_takes_over_when_its_connection_dies()
    {
        var database = (PostgresTestDatabase)await postgres.CreateDatabaseAsync();
        await using var first = database.Open();
        await using var second = database.Open();
        await using var leader = new RolloutLeadership(first, NullLogger<RolloutLeadership>.Instance);
        await using var follower = new RolloutLeadership(second, NullLogger<RolloutLeadership>.Instance);

        Assert.True(await leader.HoldAsync(CancellationToken.None));
        Assert.False(await follower.HoldAsync(CancellationToken.None));
        Assert.True(await leader.HoldAsync(CancellationToken.None));

        // What a killed replica leaves: its session ends on the server, with the lock it held.
        await using (var admin = await second.OpenAsync(CancellationToken.None))
        {
            await admin.CreateCommand("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 7342").ExecuteAsync(CancellationToken.None);
        }

        await Eventually.HoldsAsync(() => follower.HoldAsync(CancellationToken.None), held => held, Deadline, "the other replica to take the lead");
        Assert.False(await leader.HoldAsync(CancellationToken.None));
        Assert.False(leader.IsLeader);
    }

    [Fact]
    public async Task A_leader_that_steps_down_is_followed_at_the_next_attempt()
    {
        var database = (PostgresTestDatabase)await postgres.CreateDatabaseAsync();
        await using var first = database.Open();
        await using var second = database.Open();
        await using var leader = new RolloutLeadership(first, NullLogger<RolloutLeadership>.Instance);
        await using var follower = new RolloutLeadership(second, NullLogger<RolloutLeadership>.Instance);
        Assert.True(await leader.HoldAsync(CancellationToken.None));

        await leader.ReleaseAsync();

        Assert.True(await follower.HoldAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_single_server_on_sqlite_always_leads()
    {
        await using var sqlite = await SqliteTestDatabase.CreateAsync();
        await using var database = sqlite.Open();
        await using var leadership = new RolloutLeadership(database, NullLogger<RolloutLeadership>.Instance);

        Assert.True(await leadership.HoldAsync(CancellationToken.None));
        Assert.True(leadership.IsLeader);
    }
}
