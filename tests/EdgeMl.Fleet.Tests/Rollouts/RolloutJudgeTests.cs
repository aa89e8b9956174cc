using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Fleet.Tests.Storage;

namespace EdgeMl.Fleet.Tests.Rollouts;

/// <summary>What the judge reads from stored telemetry: the baseline cohort, each device's windows since its switch, probation and health.</summary>
public abstract class RolloutJudgeTests : StoreTests
{
    private static readonly RolloutGates Gates = new() { MaxP95LatencyIncrease = 0.25, MaxEscalationIncrease = 0.05, MinSamples = 100 };

    [Fact]
    public async Task The_baseline_is_the_selectors_devices_on_the_previous_version_since_the_first_switch()
    {
        using var line = await GateScenario.CreateAsync(Stores, 4, Timeout);
        // Before the rollout the line ran slow and uncertain; the other line (not in the selector) always does.
        line.OtherLineTraits = new ModelTraits(100, 0.5);
        line.Traits[GateScenario.V1] = new ModelTraits(80, 0.4);
        await line.RunAsync(2);
        line.Traits[GateScenario.V1] = new ModelTraits(20, 0.05);
        var rollout = await line.StartAsync(Gates, "1", "100%");

        await line.RunAsync(1);
        var reading = await JudgeAsync(line, rollout.Id);

        var latency = reading.Gates.Single(g => g.Gate == ModelGates.P95Latency);
        var escalation = reading.Gates.Single(g => g.Gate == ModelGates.EscalationRate);
        Assert.InRange(latency.Baseline!.Value, 20, 22);
        Assert.Equal(0.05, escalation.Baseline!.Value, 6);
        Assert.Equal(100, reading.Samples);
    }

    [Fact]
    public async Task Windows_a_device_sent_on_the_new_version_before_it_joined_do_not_count()
    {
        using var line = await GateScenario.CreateAsync(Stores, 4, Timeout);
        // An earlier, rolled back try of v2 that failed most frames.
        await Stores.Telemetry.AddAsync([.. line.Line.Select(d => TestTelemetry.Window(d, GateScenario.V2, line.Clock.GetUtcNow().AddSeconds(-1), 500, errorRate: 0.5))], Timeout);
        var rollout = await line.StartAsync(Gates with { MaxErrorRate = 0.01 }, "1", "100%");

        await line.RunAsync(2);
        var reading = await JudgeAsync(line, rollout.Id);

        Assert.Equal(200, reading.Samples);
        var errors = reading.Gates.Single(g => g.Gate == ModelGates.ErrorRate);
        Assert.Equal((GateVerdict.Pass, 0.0), (errors.Verdict, errors.Value!.Value));
    }

    [Fact]
    public async Task A_device_whose_own_figures_fail_a_gate_counts_as_failed_while_its_wave_passes()
    {
        using var line = await GateScenario.CreateAsync(Stores, 10, Timeout);
        var rollout = await line.StartAsync(Gates with { ProbationFrames = 100 }, "50%", "100%");
        var wave = await line.MembersAsync(rollout.Id, 0);
        var unsure = wave[0];

        line.Clock.Advance(TimeSpan.FromSeconds(10));
        var end = line.Clock.GetUtcNow();
        await Stores.Telemetry.AddAsync(
            [.. line.Line.Select(d => TestTelemetry.Window(d, wave.Contains(d) ? GateScenario.V2 : GateScenario.V1, end, 100, escalationRate: d == unsure ? 0.25 : 0.05))],
            Timeout);
        var reading = await JudgeAsync(line, rollout.Id);

        Assert.Equal(GateVerdict.Pass, reading.Gates.Single(g => g.Gate == ModelGates.EscalationRate).Verdict);
        Assert.Equal(ProbationState.Unhealthy, reading.Devices[unsure]);
        Assert.All(wave.Skip(1), d => Assert.Equal(ProbationState.Passed, reading.Devices[d]));
        var counts = (await LoadProgressAsync(line)).Count(await Stores.Rollouts.GetAsync(rollout.Id, Timeout) ?? throw new InvalidOperationException(), await MembersAsync(rollout.Id), reading.Devices);
        Assert.Equal((5, 4, 1), (counts.Targeted, counts.Updated, counts.Failed));
    }

    [Fact]
    public async Task Probation_ends_at_its_frames_or_its_time_whichever_comes_first()
    {
        using var line = await GateScenario.CreateAsync(Stores, 4, Timeout);
        line.FramesPerWindow = 10;
        var rollout = await line.StartAsync(Gates with { ProbationFrames = 1000, ProbationSeconds = 60 }, "1", "100%");
        var canary = Assert.Single(await line.MembersAsync(rollout.Id, 0));

        await line.RunAsync(5);
        var early = (await JudgeAsync(line, rollout.Id)).Devices[canary];
        await line.RunAsync(1);

        Assert.Equal(ProbationState.OnProbation, early);
        Assert.Equal(ProbationState.Passed, (await JudgeAsync(line, rollout.Id)).Devices[canary]);
    }

    [Fact]
    public async Task Silence_counts_from_the_last_window_the_server_received_not_from_when_it_was_scored()
    {
        using var line = await GateScenario.CreateAsync(Stores, 4, Timeout);
        var rollout = await line.StartAsync(Gates with { SilenceTimeoutSeconds = 60, ProbationFrames = 200 }, "1", "100%");
        var canary = Assert.Single(await line.MembersAsync(rollout.Id, 0));

        // Scored right after the switch, delivered 90 s later from the device's outbox after a network cut.
        line.Clock.Advance(TimeSpan.FromSeconds(90));
        await Stores.Telemetry.AddAsync([TestTelemetry.Window(canary, GateScenario.V2, line.Clock.GetUtcNow().AddSeconds(-80), 100, receivedAt: line.Clock.GetUtcNow())], Timeout);
        var delivered = (await JudgeAsync(line, rollout.Id)).Devices[canary];
        line.Clock.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(ProbationState.OnProbation, delivered);
        Assert.Equal(ProbationState.Silent, (await JudgeAsync(line, rollout.Id)).Devices[canary]);
    }

    private async Task<RolloutReading> JudgeAsync(GateScenario line, string id) =>
        await line.Fleet.Judge.JudgeAsync((await Stores.Rollouts.GetAsync(id, Timeout))!, await MembersAsync(id), await LoadProgressAsync(line), Timeout);

    private Task<IReadOnlyList<RolloutDeviceRecord>> MembersAsync(string id) => Stores.Rollouts.ListDevicesAsync(id, Timeout);

    private Task<RolloutProgress> LoadProgressAsync(GateScenario line) => RolloutProgress.LoadAsync(Stores, line.Fleet.Presence, Timeout);
}
