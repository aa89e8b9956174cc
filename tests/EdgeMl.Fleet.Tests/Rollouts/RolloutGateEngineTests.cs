using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Fleet.Tests.Storage;

namespace EdgeMl.Fleet.Tests.Rollouts;

/// <summary>
/// The rollout engine judging model behaviour: a line of simulated agents on v1 takes v2 while every device's telemetry
/// goes into the store, on a fake clock (SQLite and PostgreSQL).
/// </summary>
public abstract class RolloutGateEngineTests : StoreTests
{
    private static readonly RolloutGates Gates = new()
    {
        MaxP95LatencyIncrease = 0.25,
        MaxEscalationIncrease = 0.05,
        MaxErrorIncrease = 0.01,
        ProbationFrames = 200,
        MinSamples = 200,
    };

    /// <summary>Whether the store keeps receipt times in the order aggregates were stored.</summary>
    private protected abstract bool ReceiptTimesStayInOrder { get; }

    [Fact]
    public async Task A_slower_canary_is_stopped_by_the_latency_gate_and_every_device_returns_to_v1()
    {
        using var line = await GateScenario.CreateAsync(Stores, 10, Timeout);
        line.Traits[GateScenario.V2] = new ModelTraits(LatencyMs: 45, EscalationRate: 0.05);
        var rollout = await line.StartAsync(Gates, "1", "50%", "100%");

        await line.RunAsync(3);

        var stopped = await line.RolloutAsync(rollout.Id);
        Assert.Equal(RolloutState.RolledBack, stopped.State);
        Assert.StartsWith("wave 1: p95 latency ms ", stopped.Reason, StringComparison.Ordinal);
        var latency = (await line.AssessmentAsync(rollout.Id, 0)).Gates!.Single(g => g.Gate == ModelGates.P95Latency);
        Assert.Equal(GateVerdict.Fail, latency.Verdict);
        Assert.InRange(latency.Value!.Value, 45, 50);
        Assert.InRange(latency.Baseline!.Value, 20, 22);
        Assert.Equal("rolled back", (await line.WaveAsync(rollout.Id, 0)).Decision);
        var canary = Assert.Single(await line.MembersAsync(rollout.Id, 0));
        var desired = await Stores.DesiredStates.GetAsync(canary, Timeout);
        Assert.Equal((GateScenario.V1, true), (desired!.ActiveModel, desired.Rollback));
    }

    [Fact]
    public async Task A_more_uncertain_canary_is_stopped_by_the_escalation_gate()
    {
        using var line = await GateScenario.CreateAsync(Stores, 10, Timeout);
        line.Traits[GateScenario.V2] = new ModelTraits(LatencyMs: 20, EscalationRate: 0.20);
        var rollout = await line.StartAsync(Gates, "1", "50%", "100%");

        await line.RunAsync(3);

        var stopped = await line.RolloutAsync(rollout.Id);
        Assert.Equal(RolloutState.RolledBack, stopped.State);
        Assert.Equal("wave 1: escalation rate 0.2 above the baseline's 0.05 by more than the limit (0.1)", stopped.Reason);
        Assert.Contains(await Stores.Audit.ListAsync(100, Timeout), a => a.Action == "rollout.rollback" && a.Actor == "gate" && a.Detail == stopped.Reason);
    }

    [Fact]
    public async Task Darker_frames_on_every_device_do_not_stop_a_rollout_whose_model_keeps_up_with_the_old_one()
    {
        using var line = await GateScenario.CreateAsync(Stores, 10, Timeout);
        line.Traits[GateScenario.V2] = new ModelTraits(LatencyMs: 21, EscalationRate: 0.06);
        var rollout = await line.StartAsync(Gates, "1", "50%", "100%");

        // The lamps dim over the whole line: old and new escalate four times as often.
        line.Darker = 0.15;
        for (var wave = 0; wave < 3 && (await line.RolloutAsync(rollout.Id)).State == RolloutState.Running; wave++)
        {
            await line.RunAsync(3);
            await line.SyncAsync();
            await line.TickAsync();
        }

        var done = await line.RolloutAsync(rollout.Id);
        Assert.Equal((RolloutState.Completed, null), (done.State, done.Reason));
        var canary = await line.AssessmentAsync(rollout.Id, 0);
        var escalation = canary.Gates!.Single(g => g.Gate == ModelGates.EscalationRate);
        Assert.Equal((GateVerdict.Pass, 0.21, 0.2), (escalation.Verdict, Math.Round(escalation.Value!.Value, 4), Math.Round(escalation.Baseline!.Value, 4)));
        Assert.Equal("passed", (await line.WaveAsync(rollout.Id, 0)).Decision);
    }

    [Fact]
    public async Task An_absolute_limit_old_and_new_breach_alike_holds_the_wave_until_the_line_recovers()
    {
        using var line = await GateScenario.CreateAsync(Stores, 10, Timeout);
        var rollout = await line.StartAsync(Gates with { MaxEscalationRate = 0.15 }, "1", "100%");
        line.Darker = 0.15;

        await line.RunAsync(2);
        var held = await line.WaveAsync(rollout.Id, 0);
        line.Darker = 0;
        await line.RunAsync(1);

        Assert.Equal("held: escalation rate 0.2 above the limit 0.15, and so is the previous version's 0.2: the line changed, not the model", held.Decision);
        var moved = await line.RolloutAsync(rollout.Id);
        Assert.Equal((RolloutState.Running, 1), (moved.State, moved.CurrentWave));
        Assert.Equal("passed", (await line.WaveAsync(rollout.Id, 0)).Decision);
    }

    [Fact]
    public async Task A_canary_whose_audited_decisions_inspectors_overturn_is_stopped_by_the_audited_error_gate_and_returns_to_v1()
    {
        using var line = await GateScenario.CreateAsync(Stores, 10, Timeout);
        var rollout = await line.StartAsync(Gates with { MaxAuditedErrorRate = 0.1 }, "1", "50%", "100%");
        var canary = Assert.Single(await line.MembersAsync(rollout.Id, 0));
        await line.RunAsync(2);
        var waiting = await line.WaveAsync(rollout.Id, 0);

        foreach (var device in line.Line.Where(d => d != canary))
        {
            await line.AuditAsync(device, GateScenario.V1, 5, 0);
        }

        await line.AuditAsync(canary, GateScenario.V2, 10, 6);
        await line.RunAsync(1);

        Assert.Equal("inconclusive: 0 reviewed audited cases on the new version, below the 10 that a limit of 0.1 needs (1 / limit); waiting for inspectors' verdicts", waiting.Decision);
        var stopped = await line.RolloutAsync(rollout.Id);
        Assert.Equal(RolloutState.RolledBack, stopped.State);
        Assert.StartsWith("wave 1: audited error rate 0.6 (6 of 10 audited decisions overturned; 95 % interval 0.31", stopped.Reason, StringComparison.Ordinal);
        var audited = (await line.AssessmentAsync(rollout.Id, 0)).Gates!.Single(g => g.Gate == ModelGates.AuditedErrorRate);
        Assert.Equal((GateVerdict.Fail, (double?)0.6, (double?)0.0, (double?)0.1), (audited.Verdict, audited.Value, audited.Baseline, audited.Limit));
        Assert.Equal("rolled back", (await line.WaveAsync(rollout.Id, 0)).Decision);
        var desired = await Stores.DesiredStates.GetAsync(canary, Timeout);
        Assert.Equal((GateScenario.V1, true), (desired!.ActiveModel, desired.Rollback));
    }

    [Fact]
    public async Task A_canary_whose_audited_decisions_inspectors_uphold_passes_the_audited_error_gate()
    {
        using var line = await GateScenario.CreateAsync(Stores, 10, Timeout);
        var rollout = await line.StartAsync(Gates with { MaxAuditedErrorRate = 0.1 }, "1", "50%", "100%");
        var canary = Assert.Single(await line.MembersAsync(rollout.Id, 0));
        await line.RunAsync(2);

        await line.AuditAsync(canary, GateScenario.V2, 10, 0);
        await line.RunAsync(1);

        var moved = await line.RolloutAsync(rollout.Id);
        Assert.Equal((RolloutState.Running, 1), (moved.State, moved.CurrentWave));
        Assert.Equal("passed", (await line.WaveAsync(rollout.Id, 0)).Decision);
        var audited = (await line.AssessmentAsync(rollout.Id, 0)).Gates!.Single(g => g.Gate == ModelGates.AuditedErrorRate);
        Assert.Equal((GateVerdict.Pass, (double?)0.0, (double?)null), (audited.Verdict, audited.Value, audited.Baseline));
    }

    [Fact]
    public async Task A_device_counts_as_updated_only_after_its_probation_frames()
    {
        using var line = await GateScenario.CreateAsync(Stores, 10, Timeout);
        var rollout = await line.StartAsync(Gates with { MinSamples = 100 }, "1", "100%");

        await line.RunAsync(1);
        var first = await line.AssessmentAsync(rollout.Id, 0);
        var during = await line.WaveAsync(rollout.Id, 0);
        await line.RunAsync(1);

        Assert.Equal((0, 1), (first.Counts!.Updated, first.Counts.Probation));
        Assert.Equal("probation: 1 of 1 devices", during.Decision);
        Assert.Equal(1, (await line.RolloutAsync(rollout.Id)).CurrentWave);
        Assert.Equal((1, 0, "passed"), ((await line.AssessmentAsync(rollout.Id, 0)).Counts!.Updated, (await line.AssessmentAsync(rollout.Id, 0)).Counts!.Probation, (await line.WaveAsync(rollout.Id, 0)).Decision));
    }

    [Fact]
    public async Task A_step_judges_probation_on_the_windows_received_since_the_last_step_and_reads_none_twice()
    {
        using var line = await GateScenario.CreateAsync(Stores, 10, Timeout);
        var rollout = await line.StartAsync(Gates with { MinSamples = 100 }, "1", "100%");
        var canary = Assert.Single(await line.MembersAsync(rollout.Id, 0));
        await line.RunAsync(1);

        // Scored after the switch but stored with a receipt time long before the last step: a step that read every
        // device's telemetry again would count its frames and end the canary's probation.
        var now = line.Clock.GetUtcNow();
        await Stores.Telemetry.AddAsync([TestTelemetry.Window(canary, GateScenario.V2, now, 100, receivedAt: now.AddHours(-1))], Timeout);
        await line.TickAsync();
        await line.TickAsync();
        var unseen = await line.AssessmentAsync(rollout.Id, 0);
        await line.RunAsync(1);

        // SQLite's one writer never stores a receipt time before one it has listed by device (TelemetryBatchWriter): there
        // the window counts as received now, once. PostgreSQL keeps the time, as replicas' clocks may differ, and never reads it.
        var late = ReceiptTimesStayInOrder ? 100L : 0L;
        Assert.Equal((late > 0 ? 1 : 0, late > 0 ? 0 : 1, 100L + late), (unseen.Counts!.Updated, unseen.Counts.Probation, unseen.Samples));
        Assert.Equal((1, 200L), ((await line.AssessmentAsync(rollout.Id, 0)).Counts!.Updated, (await line.AssessmentAsync(rollout.Id, 0)).Samples));
    }

    [Fact]
    public async Task A_wave_below_min_samples_waits_as_inconclusive_and_never_passes()
    {
        using var line = await GateScenario.CreateAsync(Stores, 10, Timeout);
        line.FramesPerWindow = 20;
        var rollout = await line.StartAsync(Gates with { ProbationFrames = 0, ProbationSeconds = 30, MinSamples = 500 }, "1", "100%");

        await line.RunAsync(10);

        var waiting = await line.RolloutAsync(rollout.Id);
        Assert.Equal((RolloutState.Running, 0), (waiting.State, waiting.CurrentWave));
        var wave = await line.WaveAsync(rollout.Id, 0);
        Assert.Equal("inconclusive: 200 frames on the new version, below --min-samples 500", wave.Decision);
        Assert.Null(wave.CompletedAt);
        Assert.All((await line.AssessmentAsync(rollout.Id, 0)).Gates!, g => Assert.Equal(GateVerdict.Inconclusive, g.Verdict));
    }

    [Fact]
    public async Task A_canary_that_stops_reporting_after_its_switch_fails_after_the_silence_timeout()
    {
        using var line = await GateScenario.CreateAsync(Stores, 10, Timeout);
        var rollout = await line.StartAsync(Gates with { SilenceTimeoutSeconds = 60 }, "1", "100%");
        var canary = await line.MembersAsync(rollout.Id, 0);
        await line.RunAsync(1);

        await line.RunAsync(6, silent: canary);
        var before = await line.RolloutAsync(rollout.Id);
        await line.RunAsync(1, silent: canary);

        Assert.Equal(RolloutState.Running, before.State);
        var stopped = await line.RolloutAsync(rollout.Id);
        Assert.Equal(RolloutState.RolledBack, stopped.State);
        Assert.StartsWith("wave 1: 1 of 1 devices failed", stopped.Reason, StringComparison.Ordinal);
        Assert.EndsWith("gate; 1 of them silent for more than 60 s", stopped.Reason, StringComparison.Ordinal);
        Assert.Equal((1, 1), ((await line.AssessmentAsync(rollout.Id, 0)).Counts!.Failed, (await line.AssessmentAsync(rollout.Id, 0)).Counts!.Silent));
    }

    [Fact]
    public async Task A_shadow_that_disagrees_with_the_active_model_is_stopped_by_the_agreement_gate()
    {
        using var line = await GateScenario.CreateAsync(Stores, 4, Timeout);
        var rollout = await line.StartModeAsync(new RolloutGates { MinAgreement = 0.99, MinSamples = 100 }, RolloutState.Shadow, "100%");

        await line.RunAsync(2);

        var stopped = await line.RolloutAsync(rollout.Id);
        Assert.Equal(RolloutState.RolledBack, stopped.State);
        Assert.Equal("wave 1: shadow agreement 0.97 below the limit 0.99", stopped.Reason);
    }

    [Theory]
    [InlineData(RolloutState.Canary, "--min-agreement needs --mode shadow")]
    [InlineData(RolloutState.Shadow, "a shadow rollout is judged by --min-agreement only")]
    public async Task Refuses_gates_the_mode_cannot_measure(string mode, string problem)
    {
        using var line = await GateScenario.CreateAsync(Stores, 2, Timeout);
        var gates = new RolloutGates { MinAgreement = 0.9, MaxEscalationIncrease = 0.05 };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => line.StartModeAsync(gates, mode, "100%"));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
