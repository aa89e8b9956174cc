using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Fleet.Tests.Storage;

namespace EdgeMl.Fleet.Tests.Sync;

/// <summary>The hub with its signer on SQLite alone: the signer reads content the same way from either database.</summary>
public sealed class DesiredStateHubTests : StoreTests
{
    [Fact]
    public async Task Publishing_more_states_than_one_slice_offers_each_connected_device_its_own_and_skips_the_others()
    {
        using var fleet = new FleetParts(Stores);
        var subscriptions = Enumerable.Range(0, 700).Select(i => fleet.Hub.Subscribe($"dev-{i}")).ToList();
        var states = Enumerable.Range(0, 1000).Select(i => Record($"dev-{i}", i + 1)).ToList();

        await fleet.Hub.PublishAsync(states, Timeout);

        Assert.All(subscriptions.Select((s, i) => (s, i)), x =>
        {
            Assert.True(x.s.Reader.TryRead(out var state));
            Assert.Equal((x.s.DeviceId, (long)x.i + 1), (state!.Record.DeviceId, state.Record.Revision));
            Assert.Equal((ulong)x.i + 1, StateBinding.Open(state.Signed, x.s.DeviceId, fleet.Key.PublicKey, out _)!.Revision);
        });
        foreach (var subscription in subscriptions)
        {
            subscription.Dispose();
        }
    }

    [Fact]
    public async Task A_slice_of_connected_devices_shares_one_root_signature_and_devices_not_connected_cost_no_leaf()
    {
        using var fleet = new FleetParts(Stores);
        // Every other device is connected: 300 of 600, one full slice of 256 and one of 44.
        var subscriptions = Enumerable.Range(0, 300).Select(i => fleet.Hub.Subscribe($"dev-{2 * i}")).ToList();
        var states = Enumerable.Range(0, 600).Select(i => Record($"dev-{i}", 1)).ToList();

        await fleet.Hub.PublishAsync(states, Timeout);

        var signed = subscriptions.Select(s => s.Reader.TryRead(out var state) ? state.Signed : null).ToList();
        Assert.All(signed, Assert.NotNull);
        var batches = signed.GroupBy(s => s!.BatchSignature).ToList();
        Assert.Equal([256, 44], batches.Select(g => g.Count()));
        Assert.All(batches, g => Assert.All(g, s => Assert.Equal((ulong)g.Count(), s!.BatchSize)));
        foreach (var subscription in subscriptions)
        {
            subscription.Dispose();
        }
    }

    [Fact]
    public async Task A_state_replaced_before_its_stream_read_it_is_skipped_and_an_older_one_published_late_is_ignored()
    {
        using var fleet = new FleetParts(Stores);
        using var subscription = fleet.Hub.Subscribe("dev-1");

        await fleet.Hub.PublishAsync([Record("dev-1", 1)], Timeout);
        await fleet.Hub.PublishAsync([Record("dev-1", 3)], Timeout);
        await fleet.Hub.PublishAsync([Record("dev-1", 2)], Timeout);

        Assert.True(subscription.Reader.TryRead(out var newest));
        Assert.False(subscription.Reader.TryRead(out _));
        Assert.Equal(3UL, StateBinding.Open(newest!.Signed, "dev-1", fleet.Key.PublicKey, out _)!.Revision);
    }

    private protected override Task<TestDatabase> CreateDatabaseAsync() => SqliteTestDatabase.CreateAsync();

    // No model: the content resolves without the registry.
    private static DesiredStateRecord Record(string deviceId, long revision) => new(deviceId, revision, null, null, "r-1", true, false, DateTimeOffset.UnixEpoch);
}
