using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Review;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Telemetry;
using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Rollouts;

/// <summary>The gate math: absolute limits, limits relative to the baseline cohort, too few samples, and a change on the line.</summary>
public sealed class ModelGatesTests
{
    private static readonly DateTimeOffset End = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);

    [Fact]
    public void A_slower_model_fails_the_latency_limit_relative_to_the_baseline()
    {
        var gates = new RolloutGates { MaxP95LatencyIncrease = 0.25 };

        var result = Assert.Single(ModelGates.Judge(gates, false, Summary("v2", 200, latencyMs: 45), Summary("v1", 400, latencyMs: 20)));

        Assert.Equal((ModelGates.P95Latency, GateVerdict.Fail), (result.Gate, result.Verdict));
        Assert.InRange(result.Value!.Value, 45, 45 * 1.1);
        Assert.InRange(result.Baseline!.Value, 20, 20 * 1.1);
        Assert.Equal(result.Baseline.Value * 1.25, result.RelativeLimit!.Value, 6);
    }

    [Fact]
    public void Escalation_increase_is_in_points_over_the_baseline_rate()
    {
        var gates = new RolloutGates { MaxEscalationIncrease = 0.05 };

        var within = Assert.Single(ModelGates.Judge(gates, false, Summary("v2", 200, escalation: 0.09), Summary("v1", 400, escalation: 0.05)));
        var above = Assert.Single(ModelGates.Judge(gates, false, Summary("v2", 200, escalation: 0.11), Summary("v1", 400, escalation: 0.05)));

        Assert.Equal((GateVerdict.Pass, 0.10), (within.Verdict, Math.Round(within.RelativeLimit!.Value, 6)));
        Assert.Equal(GateVerdict.Fail, above.Verdict);
        Assert.Contains("escalation rate 0.11 above the baseline's 0.05 by more than the limit (0.1)", above.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_change_on_the_line_that_moves_old_and_new_alike_passes_the_relative_limits()
    {
        var gates = new RolloutGates { MaxEscalationIncrease = 0.05, MaxErrorIncrease = 0.01 };

        // Darker frames: both versions escalate four times as often and fail a little more.
        var results = ModelGates.Judge(gates, false, Summary("v2", 300, escalation: 0.21, error: 0.02), Summary("v1", 600, escalation: 0.20, error: 0.015));

        Assert.All(results, r => Assert.Equal(GateVerdict.Pass, r.Verdict));
    }

    [Fact]
    public void An_absolute_breach_the_baseline_shares_holds_the_wave_and_one_it_does_not_share_fails()
    {
        var gates = new RolloutGates { MaxEscalationRate = 0.15, MaxEscalationIncrease = 0.05 };

        var line = Assert.Single(ModelGates.Judge(gates, false, Summary("v2", 300, escalation: 0.21), Summary("v1", 600, escalation: 0.20)));
        var model = Assert.Single(ModelGates.Judge(gates, false, Summary("v2", 300, escalation: 0.18), Summary("v1", 600, escalation: 0.14)));

        Assert.Equal(GateVerdict.LineWide, line.Verdict);
        Assert.Contains("the line changed, not the model", line.Reason, StringComparison.Ordinal);
        Assert.Equal(GateVerdict.Fail, model.Verdict);
    }

    [Fact]
    public void Below_min_samples_every_gate_is_inconclusive_and_says_how_many_frames_it_has()
    {
        var gates = new RolloutGates { MaxErrorRate = 0.5, MaxP95LatencyMs = 1000, MinSamples = 100 };

        var results = ModelGates.Judge(gates, false, Summary("v2", 60, error: 0.9, latencyMs: 5000), Summary("v1", 600));

        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Equal((GateVerdict.Inconclusive, "60 frames on the new version, below --min-samples 100"), (r.Verdict, r.Reason)));
    }

    [Fact]
    public void Without_a_usable_baseline_relative_limits_do_not_judge_and_absolute_ones_still_do()
    {
        var gates = new RolloutGates { MaxErrorRate = 0.05, MaxErrorIncrease = 0.01, MinSamples = 100 };

        var thin = Assert.Single(ModelGates.Judge(gates, false, Summary("v2", 200, error: 0.04), Summary("v1", 50, error: 0)));
        var none = Assert.Single(ModelGates.Judge(gates, false, Summary("v2", 200, error: 0.06), null));

        Assert.Equal(GateVerdict.Pass, thin.Verdict);
        Assert.Null(thin.Baseline);
        Assert.Contains("no baseline to compare with (50 baseline frames, below --min-samples 100)", thin.Reason, StringComparison.Ordinal);
        Assert.Equal(GateVerdict.Fail, none.Verdict);
        Assert.Contains("no previous version", none.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shadow_is_judged_by_its_agreement_with_the_active_model()
    {
        var gates = new RolloutGates { MinAgreement = 0.9 };
        var agreeing = TelemetrySummary.Of([TestTelemetry.Window("d", "m:v2", End, 200, role: ModelRole.Shadow, agreement: 0.95).Aggregate]);
        var disagreeing = TelemetrySummary.Of([TestTelemetry.Window("d", "m:v2", End, 200, role: ModelRole.Shadow, agreement: 0.7).Aggregate]);

        Assert.Equal(GateVerdict.Pass, Assert.Single(ModelGates.Judge(gates, true, agreeing, null)).Verdict);
        var failed = Assert.Single(ModelGates.Judge(gates, true, disagreeing, null));
        Assert.Equal((ModelGates.Agreement, GateVerdict.Fail, 0.7), (failed.Gate, failed.Verdict, failed.Value!.Value));
    }

    [Fact]
    public void Gates_not_set_are_not_judged()
    {
        Assert.Empty(ModelGates.Judge(new RolloutGates(), false, Summary("v2", 10, error: 1), Summary("v1", 10)));
        Assert.Null(ModelGates.JudgeAudited(new RolloutGates(), WilsonInterval.Of(10, 10), null));
    }

    [Fact]
    public void The_audited_error_gate_fails_only_when_the_interval_lies_above_the_limit()
    {
        var gates = new RolloutGates { MaxAuditedErrorRate = 0.1 };

        var weak = ModelGates.JudgeAudited(gates, WilsonInterval.Of(2, 10), WilsonInterval.Of(0, 40))!;
        var strong = ModelGates.JudgeAudited(gates, WilsonInterval.Of(6, 10), WilsonInterval.Of(0, 40))!;

        Assert.Equal((ModelGates.AuditedErrorRate, GateVerdict.Pass, (double?)0.2, (double?)0.0, (double?)0.1), (weak.Gate, weak.Verdict, weak.Value, weak.Baseline, weak.Limit));
        Assert.Equal(GateVerdict.Fail, strong.Verdict);
        Assert.Equal("audited error rate 0.6 (6 of 10 audited decisions overturned; 95 % interval 0.3127-0.8318) above the limit 0.1", strong.Reason);
    }

    [Fact]
    public void Too_few_reviewed_audited_cases_leave_the_audited_error_gate_inconclusive_unless_they_already_prove_a_breach()
    {
        var gates = new RolloutGates { MaxAuditedErrorRate = 0.05 };

        var none = ModelGates.JudgeAudited(gates, null, null)!;
        var few = ModelGates.JudgeAudited(gates, WilsonInterval.Of(0, 19), null)!;
        var enough = ModelGates.JudgeAudited(gates, WilsonInterval.Of(0, 20), null)!;
        var proven = ModelGates.JudgeAudited(gates, WilsonInterval.Of(5, 8), null)!;

        Assert.Equal((GateVerdict.Inconclusive, (double?)null), (none.Verdict, none.Value));
        Assert.Equal(
            "19 reviewed audited cases on the new version, below the 20 that a limit of 0.05 needs (1 / limit); waiting for inspectors' verdicts",
            few.Reason);
        Assert.Equal(GateVerdict.Inconclusive, few.Verdict);
        Assert.Equal(GateVerdict.Pass, enough.Verdict);
        Assert.Equal(GateVerdict.Fail, proven.Verdict);
    }

    [Fact]
    public void An_audited_error_breach_the_previous_version_shows_too_holds_the_wave()
    {
        var gates = new RolloutGates { MaxAuditedErrorRate = 0.1 };

        var result = ModelGates.JudgeAudited(gates, WilsonInterval.Of(6, 10), WilsonInterval.Of(12, 20))!;

        Assert.Equal((GateVerdict.LineWide, (double?)0.6), (result.Verdict, result.Baseline));
        Assert.EndsWith("the line changed, not the model", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RolloutState.Shadow, 0.05, "error, latency, escalation and audited error gates need canary or blue-green")]
    [InlineData(RolloutState.Canary, 0.0, "--max-audited-error-rate must be above 0 and at most 1")]
    [InlineData(RolloutState.Canary, 1.5, "--max-audited-error-rate must be above 0 and at most 1")]
    public void Refuses_an_audited_error_gate_out_of_range_or_on_a_shadow(string mode, double limit, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => new RolloutGates { MaxAuditedErrorRate = limit }.Validate(mode));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    private static TelemetrySummary Summary(string version, long frames, double latencyMs = 10, double escalation = 0.05, double error = 0) =>
        TelemetrySummary.Of([TestTelemetry.Window("d", "crack-detector:" + version, End, frames, latencyMs, escalation, error).Aggregate]);
}
