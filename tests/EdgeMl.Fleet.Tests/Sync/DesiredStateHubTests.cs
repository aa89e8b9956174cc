using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;

namespace EdgeMl.Fleet.Tests.Sync;

public sealed class DesiredStateHubTests
{
    [Fact]
    public async Task Publishing_more_states_than_one_slice_offers_each_connected_device_its_own_and_skips_the_others()
    {
        var hub = new DesiredStateHub();
        var subscriptions = Enumerable.Range(0, 700).Select(i => hub.Subscribe($"dev-{i}")).ToList();
        var states = Enumerable.Range(0, 1000).Select(i => new DesiredStateRecord($"dev-{i}", i + 1, "crack-detector:v2", null, "r-1", false, false, DateTimeOffset.UnixEpoch)).ToList();

        await hub.PublishAsync(states);

        Assert.All(subscriptions.Select((s, i) => (s, i)), x =>
        {
            Assert.True(x.s.Reader.TryRead(out var state));
            Assert.Equal((x.s.DeviceId, (long)x.i + 1), (state!.DeviceId, state.Revision));
        });
        foreach (var subscription in subscriptions)
        {
            subscription.Dispose();
        }
    }
}
