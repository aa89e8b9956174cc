using System.Diagnostics;
using EdgeMl.Fleet.Storage;
using Xunit.Abstractions;

namespace EdgeMl.Fleet.Tests.Storage;

public abstract class DesiredStateStoreTests(ITestOutputHelper output) : StoreTests
{
    [Fact]
    public async Task Starts_a_device_at_revision_one_and_adds_one_per_change()
    {
        var first = await Stores.DesiredStates.SetManyAsync([Change("cam-1", "crack-detector:v1")], T0, Timeout);
        var second = await Stores.DesiredStates.SetManyAsync(
            [new DesiredStateChange("cam-1", "crack-detector:v1", "crack-detector:v2", "r-1", Rollback: false, HoldSwitch: true)], T0.AddMinutes(1), Timeout);

        Assert.Equal(1, first[0].Revision);
        var expected = new DesiredStateRecord("cam-1", 2, "crack-detector:v1", "crack-detector:v2", "r-1", false, true, T0.AddMinutes(1));
        Assert.Equal(expected, second[0]);
        Assert.Equal(expected, await Stores.DesiredStates.GetAsync("cam-1", Timeout));
        Assert.Null(await Stores.DesiredStates.GetAsync("cam-2", Timeout));
    }

    [Fact]
    public async Task Returns_the_new_states_in_input_order()
    {
        await Stores.DesiredStates.SetManyAsync([Change("cam-2", "m:v1")], T0, Timeout);

        var states = await Stores.DesiredStates.SetManyAsync(
            [Change("cam-3", "m:v2"), Change("cam-2", "m:v2"), Change("cam-1", "m:v2"), new DesiredStateChange("cam-3", "m:v1", null, null, true, false)],
            T0.AddMinutes(1),
            Timeout);

        Assert.Equal([("cam-3", 1L), ("cam-2", 2L), ("cam-1", 1L), ("cam-3", 2L)], states.Select(s => (s.DeviceId, s.Revision)));
        Assert.Equal(["cam-1", "cam-2", "cam-3"], (await Stores.DesiredStates.ListAsync(Timeout)).Select(s => s.DeviceId));
        Assert.True((await Stores.DesiredStates.GetAsync("cam-3", Timeout))!.Rollback);
    }

    [Fact]
    public async Task Sets_ten_thousand_states_in_one_call()
    {
        var changes = Enumerable.Range(0, 10_000).Select(i => Change($"cam-{i:D5}", "crack-detector:v2")).ToArray();
        await Stores.DesiredStates.SetManyAsync(changes[..100], T0, Timeout);

        var clock = Stopwatch.StartNew();
        var states = await Stores.DesiredStates.SetManyAsync(changes, T0.AddMinutes(1), Timeout);
        clock.Stop();

        output.WriteLine($"SetManyAsync of {changes.Length} changes on {GetType().Name}: {clock.ElapsedMilliseconds} ms");
        Assert.Equal(changes.Length, states.Count);
        Assert.Equal(2, states[99].Revision);
        Assert.Equal(1, states[100].Revision);
        Assert.Equal(changes.Length, (await Stores.DesiredStates.ListAsync(Timeout)).Count);
    }

    [Fact]
    public async Task Lists_only_the_states_changed_after_a_time()
    {
        await Stores.DesiredStates.SetManyAsync([Change("cam-1", "m:v1"), Change("cam-2", "m:v1")], T0, Timeout);
        await Stores.DesiredStates.SetManyAsync([Change("cam-2", "m:v2")], T0.AddSeconds(1), Timeout);
        await Stores.DesiredStates.SetManyAsync([Change("cam-3", "m:v2")], T0.AddSeconds(2), Timeout);

        var changed = await Stores.DesiredStates.ListChangedSinceAsync(T0, Timeout);

        Assert.Equal([("cam-2", 2L), ("cam-3", 1L)], changed.Select(s => (s.DeviceId, s.Revision)));
        Assert.Empty(await Stores.DesiredStates.ListChangedSinceAsync(T0.AddSeconds(2), Timeout));
    }

    [Fact]
    public async Task Names_the_model_most_of_the_given_devices_run()
    {
        await Stores.DesiredStates.SetManyAsync(
            [Change("cam-1", "m:v1"), Change("cam-2", "m:v2"), Change("cam-3", "m:v2"), Change("cam-4", "m:v1"), Change("cam-5", "m:v1")], T0, Timeout);

        Assert.Equal("m:v2", await Stores.DesiredStates.MostCommonModelAsync(["cam-1", "cam-2", "cam-3", "cam-9"], Timeout));
        Assert.Equal("m:v1", await Stores.DesiredStates.MostCommonModelAsync(["cam-1", "cam-2", "cam-3", "cam-4", "cam-5"], Timeout));
        Assert.Equal("m:v1", await Stores.DesiredStates.MostCommonModelAsync(["cam-2", "cam-1"], Timeout));
        Assert.Null(await Stores.DesiredStates.MostCommonModelAsync(["cam-8", "cam-9"], Timeout));
    }

    private static DesiredStateChange Change(string deviceId, string model) => new(deviceId, model, null, null, false, false);
}
