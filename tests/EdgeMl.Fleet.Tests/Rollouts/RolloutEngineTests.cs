using System.Data.Common;
using EdgeMl.Contracts.Fleet;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Fleet.Tests.Storage;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Tests.Rollouts;

/// <summary>The rollout engine against a real database (SQLite and PostgreSQL), with devices that report through the store.</summary>
public abstract class RolloutEngineTests : StoreTests
{
    [Fact]
    public async Task A_failed_device_within_the_gate_counts_as_done_so_its_wave_completes()
    {
        using var fleet = new FleetParts(Stores);
        await AddModelAsync("crack-detector", "v1");
        var devices = await AddDevicesAsync("site=a", 10);
        var rollout = await fleet.Engine.StartAsync(Start("crack-detector:v1", "site=a"), "admin", Timeout);

        foreach (var device in devices)
        {
            await ReportAsync(device, "crack-detector:v1", device == devices[0] ? "failed" : "active");
        }

        await fleet.Engine.AdvanceAllAsync(Timeout);

        Assert.Equal(RolloutState.Completed, (await Stores.Rollouts.GetAsync(rollout.Id, Timeout))!.State);
        var wave = Assert.Single(await Stores.Rollouts.ListWavesAsync(rollout.Id, Timeout));
        Assert.Equal("passed", wave.Decision);
        Assert.Equal(new WaveCounts(10, 9, 1, 0, 0), WaveAssessment.FromJson(wave.GateValuesJson)!.Counts);
    }

    [Fact]
    public async Task A_step_reads_only_the_devices_that_reported_since_the_last_step_not_every_device_of_the_rollout()
    {
        using var fleet = new FleetParts(Stores);
        await AddModelAsync("crack-detector", "v1");
        var devices = await AddDevicesAsync("site=a", 3);
        // Online by their MQTT status: a device that has not answered holds its wave open.
        foreach (var device in devices)
        {
            SetOnline(fleet, device, true);
        }

        var rollout = await fleet.Engine.StartAsync(Start("crack-detector:v1", "site=a"), "admin", Timeout);
        await fleet.Engine.AdvanceAllAsync(Timeout);
        await ReportAsync(devices[0], "crack-detector:v1", "active");
        await fleet.Engine.AdvanceAllAsync(Timeout);
        Assert.Equal(new WaveCounts(3, 1, 0, 2, 0), await CountsAsync(rollout.Id));

        // Stored with a report time long before the last step: a step that read every device of the rollout would count
        // it; one that reads what reported since its last step does not see it.
        await ReportAsync(devices[1], "crack-detector:v1", "active", DateTimeOffset.UtcNow.AddHours(-1));
        await fleet.Engine.AdvanceAllAsync(Timeout);
        Assert.Equal(new WaveCounts(3, 1, 0, 2, 0), await CountsAsync(rollout.Id));

        await ReportAsync(devices[2], "crack-detector:v1", "active");
        await fleet.Engine.AdvanceAllAsync(Timeout);
        Assert.Equal(new WaveCounts(3, 2, 0, 1, 0), await CountsAsync(rollout.Id));
    }

    [Fact]
    public async Task A_pending_device_that_disconnects_or_comes_back_between_steps_moves_the_offline_count()
    {
        using var fleet = new FleetParts(Stores);
        await AddModelAsync("crack-detector", "v1");
        var devices = await AddDevicesAsync("site=a", 3);
        foreach (var device in devices)
        {
            SetOnline(fleet, device, true);
        }

        var rollout = await fleet.Engine.StartAsync(Start("crack-detector:v1", "site=a"), "admin", Timeout);
        await fleet.Engine.AdvanceAllAsync(Timeout);
        Assert.Equal(new WaveCounts(3, 0, 0, 3, 0), await CountsAsync(rollout.Id));

        // Their last wills: the broker lost their connections (through whichever replica they streamed to).
        SetOnline(fleet, devices[0], false);
        SetOnline(fleet, devices[1], false);
        await fleet.Engine.AdvanceAllAsync(Timeout);
        Assert.Equal(new WaveCounts(3, 0, 0, 3, 2), await CountsAsync(rollout.Id));

        SetOnline(fleet, devices[1], true);
        await fleet.Engine.AdvanceAllAsync(Timeout);
        Assert.Equal(new WaveCounts(3, 0, 0, 3, 1), await CountsAsync(rollout.Id));
    }

    [Fact]
    public async Task A_device_online_by_its_status_holds_its_wave_open_though_its_stream_is_on_another_replica()
    {
        using var fleet = new FleetParts(Stores);
        await AddModelAsync("crack-detector", "v1");
        var devices = await AddDevicesAsync("site=a", 2);
        var rollout = await fleet.Engine.StartAsync(Start("crack-detector:v1", "site=a"), "admin", Timeout);
        await ReportAsync(devices[0], "crack-detector:v1", "active");
        // Neither device streams to this replica (FleetParts' hub is empty); the second is connected to the broker, through the other one.
        fleet.Presence.Update(devices[1], new DevicePresence.Presence(Online: true, DateTimeOffset.UtcNow, "1.0"));

        await fleet.Engine.AdvanceAllAsync(Timeout);

        Assert.Equal(RolloutState.Running, (await Stores.Rollouts.GetAsync(rollout.Id, Timeout))!.State);
        var wave = Assert.Single(await Stores.Rollouts.ListWavesAsync(rollout.Id, Timeout));
        Assert.Equal(new WaveCounts(2, 1, 0, 1, 0), WaveAssessment.FromJson(wave.GateValuesJson)!.Counts);

        fleet.Presence.Update(devices[1], new DevicePresence.Presence(Online: false, DateTimeOffset.UtcNow, "1.0"));
        await fleet.Engine.AdvanceAllAsync(Timeout);

        Assert.Equal(RolloutState.Completed, (await Stores.Rollouts.GetAsync(rollout.Id, Timeout))!.State);
    }

    [Fact]
    public async Task A_rollout_without_its_wave_record_does_not_stop_the_gate_of_an_older_one()
    {
        using var fleet = new FleetParts(Stores);
        await AddModelAsync("crack-detector", "v1");
        var devices = await AddDevicesAsync("site=a", 2);
        var healthy = await fleet.Engine.StartAsync(Start("crack-detector:v1", "site=a"), "admin", Timeout);
        // What a start that stopped half-way left behind before starts were one transaction: newer, so evaluated first.
        var now = DateTimeOffset.UtcNow.AddMinutes(1);
        var corrupt = new RolloutRecord("r-corrupt", "scratch-detector:v1", null, "site=b", "canary", "100%", 0, "{}", "running", 0, now, null, now, "admin", now);
        await Stores.Rollouts.AddAsync(corrupt, Timeout);
        await ReportAsync(devices[0], "crack-detector:v1", "failed");
        await ReportAsync(devices[1], "crack-detector:v1", "active");

        await fleet.Engine.AdvanceAllAsync(Timeout);

        var rolled = await Stores.Rollouts.GetAsync(healthy.Id, Timeout);
        Assert.Equal(RolloutState.RolledBack, rolled!.State);
        Assert.StartsWith("wave 1: 1 of 2 devices failed", rolled.Reason, StringComparison.Ordinal);
        Assert.All(await Stores.DesiredStates.ListAsync(Timeout), d => Assert.True(d.Rollback));
        Assert.Equal(RolloutState.Running, (await Stores.Rollouts.GetAsync(corrupt.Id, Timeout))!.State);
    }

    [Fact]
    public async Task A_start_that_fails_leaves_no_rollout_and_no_desired_state_behind()
    {
        using var fleet = new FleetParts(Stores);
        await AddModelAsync("crack-detector", "v1");
        await AddDevicesAsync("site=a", 3);
        // The wave record is the last write of a start: make it fail.
        await using (var connection = await Stores.Database.OpenAsync(Timeout))
        {
            await connection.CreateCommand("DROP TABLE rollout_waves").ExecuteAsync(Timeout);
        }

        await Assert.ThrowsAnyAsync<DbException>(() => fleet.Engine.StartAsync(Start("crack-detector:v1", "site=a"), "admin", Timeout));

        Assert.Empty(await Stores.Rollouts.ListAsync(Timeout));
        Assert.Empty(await Stores.DesiredStates.ListAsync(Timeout));
        Assert.DoesNotContain(await Stores.Audit.ListAsync(100, Timeout), a => a.Action == "rollout.start");
    }

    [Fact]
    public async Task A_start_is_refused_while_an_agent_says_it_cannot_read_the_manifest_and_goes_ahead_once_it_can()
    {
        using var fleet = new FleetParts(Stores);
        await AddV3Async();
        var devices = await AddDevicesAsync("site=a", 9);
        for (var i = 0; i < 7; i++)
        {
            await ConnectAsync(devices[i], BeforeExplanation);
        }

        await ConnectAsync(devices[7], ManifestFields.Known);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => fleet.Engine.StartAsync(Start("crack-detector:v3", "site=a"), "admin", Timeout));

        Assert.Equal(
            "7 of 9 devices would refuse crack-detector:v3: their agents do not read the manifest's explanation (cam-00, cam-01, cam-02, cam-03, cam-04 and 2 more: 'device list --cannot-read crack-detector:v3' lists them); " +
            "update those agents first, choose a selector without them, or leave them out (--skip-old-agents)",
            refused.Message);
        Assert.Empty(await Stores.Rollouts.ListAsync(Timeout));
        Assert.Empty(await Stores.DesiredStates.ListAsync(Timeout));

        // Updated agents say so when they connect again; cam-08 never said what it reads, so its own check decides.
        for (var i = 0; i < 7; i++)
        {
            await ConnectAsync(devices[i], ManifestFields.Known);
        }

        var started = await fleet.Engine.StartAsync(Start("crack-detector:v3", "site=a"), "admin", Timeout);
        Assert.Equal(9, (await InRolloutAsync(started.Id)).Count());
    }

    [Fact]
    public async Task A_start_that_skips_old_agents_leaves_their_devices_where_they_are_and_names_them()
    {
        using var fleet = new FleetParts(Stores);
        await AddV3Async();
        var devices = await AddDevicesAsync("site=a", 4);
        await ConnectAsync(devices[1], BeforeExplanation);
        await ConnectAsync(devices[3], BeforeExplanation);

        var started = await fleet.Engine.StartAsync(Start("crack-detector:v3", "site=a") with { SkipOldAgents = true }, "admin", Timeout);

        Assert.Equal([devices[0], devices[2]], (await InRolloutAsync(started.Id)).Order(StringComparer.Ordinal));
        Assert.Equal([devices[0], devices[2]], (await Stores.DesiredStates.ListAsync(Timeout)).Select(s => s.DeviceId).Order(StringComparer.Ordinal));
        Assert.EndsWith(
            "; 2 left out: their agents do not read the manifest's explanation (cam-01, cam-03)",
            Assert.Single(await Stores.Audit.ListAsync(100, Timeout), a => a.Action == "rollout.start").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_start_that_skips_old_agents_is_refused_when_no_device_is_left()
    {
        using var fleet = new FleetParts(Stores);
        await AddV3Async();
        var devices = await AddDevicesAsync("site=a", 2);
        foreach (var device in devices)
        {
            await ConnectAsync(device, BeforeExplanation);
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => fleet.Engine.StartAsync(Start("crack-detector:v3", "site=a") with { SkipOldAgents = true }, "admin", Timeout));

        Assert.Equal(
            "2 of 2 devices would refuse crack-detector:v3: their agents do not read the manifest's explanation (cam-00, cam-01); no other device is left to roll out to: update those agents first",
            refused.Message);
        Assert.Empty(await Stores.Rollouts.ListAsync(Timeout));
    }

    [Fact]
    public async Task A_later_wave_leaves_out_a_device_whose_agent_cannot_read_the_manifest_and_says_so()
    {
        using var fleet = new FleetParts(Stores);
        await AddV3Async();
        var devices = await AddDevicesAsync("site=a", 2);
        var rollout = await fleet.Engine.StartAsync(Start("crack-detector:v3", "site=a") with { Waves = ["1", "100%"] }, "admin", Timeout);
        // Enrolled after the start, by an agent from before `explanation`.
        await Stores.Devices.AddAsync(
            new DeviceRecord("cam-late", "secret-hash", Tags.Parse("site=a"), T0, "host", "0.9", null, null, null, null, null, 0, null, null), BeforeExplanation, Timeout);
        await ReportAsync((await InRolloutAsync(rollout.Id)).Single(), "crack-detector:v3", "active");

        await fleet.Engine.AdvanceAllAsync(Timeout);

        Assert.Equal(2, (await Stores.Rollouts.GetAsync(rollout.Id, Timeout))!.CurrentWave + 1);
        Assert.Equal(devices, (await InRolloutAsync(rollout.Id)).Order(StringComparer.Ordinal));
        Assert.Equal(
            "wave 2 (100%) starts; 1 left out: their agents do not read the manifest's explanation (cam-late)",
            Assert.Single(await Stores.Audit.ListAsync(100, Timeout), a => a.Action == "rollout.wave").Detail);
    }

    [Fact]
    public async Task A_device_already_in_the_rollout_is_not_counted_as_left_out_when_its_agent_changes()
    {
        using var fleet = new FleetParts(Stores);
        await AddV3Async();
        var devices = await AddDevicesAsync("site=a", 2);
        var rollout = await fleet.Engine.StartAsync(Start("crack-detector:v3", "site=a") with { Waves = ["1", "100%"] }, "admin", Timeout);
        var first = (await InRolloutAsync(rollout.Id)).Single();
        // Its agent was downgraded after it joined: it stays in the rollout on what it runs.
        await ConnectAsync(first, BeforeExplanation);
        await ReportAsync(first, "crack-detector:v3", "active");

        await fleet.Engine.AdvanceAllAsync(Timeout);

        Assert.Equal(devices, (await InRolloutAsync(rollout.Id)).Order(StringComparer.Ordinal));
        Assert.Equal("wave 2 (100%) starts", Assert.Single(await Stores.Audit.ListAsync(100, Timeout), a => a.Action == "rollout.wave").Detail);
    }

    [Fact]
    public async Task Rolling_back_devices_that_ran_no_model_returns_them_to_no_model_and_says_so()
    {
        using var fleet = new FleetParts(Stores);
        await AddModelAsync("crack-detector", "v1");
        var devices = await AddDevicesAsync("site=a", 2);
        var rollout = await fleet.Engine.StartAsync(Start("crack-detector:v1", "site=a"), "admin", Timeout);
        foreach (var device in devices)
        {
            await ReportAsync(device, "crack-detector:v1", "active");
        }

        await fleet.Engine.AdvanceAllAsync(Timeout);

        var rolled = await fleet.Engine.ControlAsync(rollout.Id, "rollback", "admin", Timeout);

        Assert.Equal("rolled back by admin; 2 of 2 devices returned to no model (every frame to a human)", rolled.Reason);
        var states = await Stores.DesiredStates.ListAsync(Timeout);
        Assert.All(states, s => Assert.Equal((2L, null, true), (s.Revision, s.ActiveModel, s.Rollback)));
        var signed = await fleet.Signer.SignAsync(states[0], Timeout);
        var state = DesiredState.Parser.ParseFrom(signed.Payload);
        Assert.Equal((null, true, 2UL), (state.Active, state.Rollback, DesiredStateBinding.Parser.ParseFrom(signed.Binding).Revision));
        Assert.Contains(await Stores.Audit.ListAsync(100, Timeout), a => a.Action == "rollout.rollback" && a.Detail.Contains("returned to no model", StringComparison.Ordinal));
    }

    private static RolloutEngine.StartRequest Start(string model, string selector) =>
        new(model, selector, ["100%"], TimeSpan.Zero, RolloutState.Canary, new RolloutGates());

    private async Task AddModelAsync(string name, string version) =>
        await Stores.Models.AddAsync(
            name, version, sequence => Task.FromResult(new ModelRecord(name, version, sequence, "model-sha", "bundle-sha", 1024, T0, "admin", "{}")), Timeout);

    private async Task<IReadOnlyList<string>> AddDevicesAsync(string tags, int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"cam-{i:D2}").ToList();
        foreach (var id in ids)
        {
            await Stores.Devices.AddAsync(
                new DeviceRecord(id, "secret-hash", Tags.Parse(tags), T0, "host", "1.0", null, null, null, null, null, 0, null, null), Timeout);
        }

        return ids;
    }

    /// <summary>What the device's agent reports on its current desired state; stamped by the engine's clock, as the server stamps what devices report, unless <paramref name="at"/> says otherwise.</summary>
    private async Task ReportAsync(string device, string model, string state, DateTimeOffset? at = null)
    {
        var desired = await Stores.DesiredStates.GetAsync(device, Timeout);
        await Stores.Devices.RecordReportAsync(new DeviceReport(device, desired!.Revision, model, state, null, "cpu", null, at ?? DateTimeOffset.UtcNow), Timeout);
    }

    private static IReadOnlyList<string> BeforeExplanation =>
        [.. ManifestFields.Known.Where(f => !f.StartsWith("explanation", StringComparison.Ordinal))];

    private async Task AddV3Async()
    {
        var manifest = File.ReadAllText(Path.Combine(RepoPaths.Package("v3"), "manifest.json"));
        await Stores.Models.AddAsync(
            "crack-detector", "v3", sequence => Task.FromResult(new ModelRecord("crack-detector", "v3", sequence, "model-sha", "bundle-sha", 1024, T0, "admin", manifest)), Timeout);
    }

    private async Task<IEnumerable<string>> InRolloutAsync(string rollout) =>
        (await Stores.DesiredStates.ListAsync(Timeout)).Where(d => d.RolloutId == rollout).Select(d => d.DeviceId);

    private async Task ConnectAsync(string device, IReadOnlyList<string> fields) =>
        await Stores.Devices.TouchAsync(device, DateTimeOffset.UtcNow, fields, Timeout);

    /// <summary>The device's retained MQTT status as the server's ingestion takes it in.</summary>
    private static void SetOnline(FleetParts fleet, string device, bool online) =>
        fleet.Presence.Update(device, new DevicePresence.Presence(online, DateTimeOffset.UtcNow, "1.0"));

    private async Task<WaveCounts?> CountsAsync(string rollout) =>
        WaveAssessment.FromJson(Assert.Single(await Stores.Rollouts.ListWavesAsync(rollout, Timeout)).GateValuesJson)!.Counts;
}
