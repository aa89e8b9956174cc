using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Tests.Storage;

public abstract class RolloutStoreTests : StoreTests
{
    [Fact]
    public async Task Reads_back_a_rollout_after_each_update()
    {
        var rollout = Rollout("r-1", T0);
        await Stores.Rollouts.AddAsync(rollout, Timeout);
        var added = await Stores.Rollouts.GetAsync("r-1", Timeout);

        var paused = rollout with
        {
            State = "paused", CurrentWave = 2, WaveStartedAt = T0.AddMinutes(5), Reason = "latency gate", GatesJson = "{\"p95\":80}", UpdatedAt = T0.AddMinutes(9),
        };
        await Stores.Rollouts.UpdateAsync(paused, Timeout);

        Assert.Equal(rollout, added);
        Assert.Equal(paused, await Stores.Rollouts.GetAsync("r-1", Timeout));
        Assert.Null(await Stores.Rollouts.GetAsync("r-2", Timeout));
    }

    [Fact]
    public async Task Refuses_to_update_a_rollout_that_was_never_added()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Stores.Rollouts.UpdateAsync(Rollout("r-9", T0), Timeout));

        Assert.Contains("r-9", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lists_rollouts_newest_first_and_only_unfinished_ones_as_active()
    {
        var states = new[] { "running", "completed", "paused", "rolled-back", "waiting-switch" };
        for (var i = 0; i < states.Length; i++)
        {
            await Stores.Rollouts.AddAsync(Rollout($"r-{i}", T0.AddMinutes(i)) with { State = states[i] }, Timeout);
        }

        Assert.Equal(["r-4", "r-3", "r-2", "r-1", "r-0"], (await Stores.Rollouts.ListAsync(Timeout)).Select(r => r.Id));
        Assert.Equal(["r-4", "r-2", "r-0"], (await Stores.Rollouts.ListActiveAsync(Timeout)).Select(r => r.Id));
    }

    [Fact]
    public async Task Keeps_the_first_entry_of_a_device_added_twice_to_a_rollout()
    {
        await Stores.Rollouts.AddAsync(Rollout("r-1", T0), Timeout);
        await Stores.Rollouts.AddAsync(Rollout("r-2", T0), Timeout);
        await Stores.DesiredStates.SetManyAsync([new("cam-2", "m:v1", null, null, false, false), new("cam-3", "m:v1", null, null, false, false)], T0, Timeout);

        var first = await Stores.Rollouts.JoinAsync("r-1", 0, ["cam-2", "cam-1"], T0, Timeout);
        await Stores.DesiredStates.SetManyAsync([new("cam-1", "m:v0", null, null, false, false)], T0, Timeout);
        var second = await Stores.Rollouts.JoinAsync("r-1", 1, ["cam-3", "cam-1"], T0.AddHours(1), Timeout);

        Assert.Equal([new("r-1", "cam-2", 0, "m:v1", T0), new RolloutDeviceRecord("r-1", "cam-1", 0, null, T0)], first);
        Assert.Equal([new RolloutDeviceRecord("r-1", "cam-3", 1, "m:v1", T0.AddHours(1))], second);
        Assert.Equal(
            [new("r-1", "cam-1", 0, null, T0), new("r-1", "cam-2", 0, "m:v1", T0), new RolloutDeviceRecord("r-1", "cam-3", 1, "m:v1", T0.AddHours(1))],
            await Stores.Rollouts.ListDevicesAsync("r-1", Timeout));
        Assert.Empty(await Stores.Rollouts.ListDevicesAsync("r-2", Timeout));
    }

    [Fact]
    public async Task Updates_a_wave_in_place_and_lists_waves_by_index()
    {
        await Stores.Rollouts.AddAsync(Rollout("r-1", T0), Timeout);
        var second = new RolloutWaveRecord("r-1", 1, "10%", null, null, null, null);
        await Stores.Rollouts.UpsertWaveAsync(second, Timeout);
        var first = new RolloutWaveRecord("r-1", 0, "1", T0, T0.AddMinutes(30), "advance", "{\"errors\":0}");
        await Stores.Rollouts.UpsertWaveAsync(first with { CompletedAt = null, Decision = null }, Timeout);

        await Stores.Rollouts.UpsertWaveAsync(first, Timeout);

        Assert.Equal([first, second], await Stores.Rollouts.ListWavesAsync("r-1", Timeout));
    }

    [Fact]
    public async Task Keeps_a_rollouts_decision_settings_beside_it()
    {
        await Stores.Rollouts.AddAsync(Rollout("r-1", T0), Timeout);
        await Stores.Rollouts.AddAsync(Rollout("r-2", T0), Timeout);
        await Stores.Database.InTransactionAsync(t => RolloutStore.SetDecisionsAsync(t, "r-1", "{\"automation\":\"human\"}", Timeout), Timeout);

        Assert.Equal(("crack-detector:v2", "{\"automation\":\"human\"}"), await Stores.Rollouts.GetDecisionsAsync("r-1", Timeout));
        Assert.Equal(("crack-detector:v2", (string?)null), await Stores.Rollouts.GetDecisionsAsync("r-2", Timeout));
        Assert.Null(await Stores.Rollouts.GetDecisionsAsync("r-3", Timeout));
    }

    private static RolloutRecord Rollout(string id, DateTimeOffset createdAt) => new(
        id, "crack-detector:v2", "crack-detector:v1", "site=lyon", "canary", "1,10%,50%,100%", 600, "{}", "running", 0, null, null, createdAt, "admin", createdAt);
}
