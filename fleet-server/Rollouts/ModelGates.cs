using EdgeMl.Fleet.Review;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// Judges what a model did on the line against a rollout's gates: each measure against its absolute limit and against
/// the baseline cohort (the same selector still on the previous version, over the same window). A change on the line
/// that moves old and new alike passes the relative limit, and an absolute breach the baseline shares holds the wave
/// (<see cref="GateVerdict.LineWide"/>) rather than blaming the model.
/// </summary>
internal static class ModelGates
{
    public const string ErrorRate = "error rate";
    public const string P95Latency = "p95 latency ms";
    public const string EscalationRate = "escalation rate";
    public const string Agreement = "shadow agreement";
    public const string AuditedErrorRate = "audited error rate";

    /// <summary>The configured gates only, in a fixed order; <paramref name="baseline"/> is null where there is no previous version.</summary>
    public static IReadOnlyList<GateResult> Judge(RolloutGates gates, bool shadow, TelemetrySummary wave, TelemetrySummary? baseline)
    {
        ArgumentNullException.ThrowIfNull(gates);
        ArgumentNullException.ThrowIfNull(wave);
        var results = new List<GateResult>();
        if (shadow)
        {
            if (gates.MinAgreement is { } least)
            {
                results.Add(JudgeAgreement(gates, wave, least));
            }

            return results;
        }

        var usable = baseline is not null && baseline.Frames >= gates.MinSamples ? baseline : null;
        if (gates.MaxErrorRate is not null || gates.MaxErrorIncrease is not null)
        {
            results.Add(JudgeMaximum(ErrorRate, gates, wave, baseline, usable, s => s.ErrorRate, gates.MaxErrorRate, gates.MaxErrorIncrease, (b, i) => b + i));
        }

        if (gates.MaxP95LatencyMs is not null || gates.MaxP95LatencyIncrease is not null)
        {
            results.Add(JudgeMaximum(P95Latency, gates, wave, baseline, usable, s => s.LatencyMs(0.95), gates.MaxP95LatencyMs, gates.MaxP95LatencyIncrease, (b, i) => b * (1 + i)));
        }

        if (gates.MaxEscalationRate is not null || gates.MaxEscalationIncrease is not null)
        {
            results.Add(JudgeMaximum(EscalationRate, gates, wave, baseline, usable, s => s.EscalationRate, gates.MaxEscalationRate, gates.MaxEscalationIncrease, (b, i) => b + i));
        }

        return results;
    }

    private static GateResult JudgeMaximum(
        string gate, RolloutGates gates, TelemetrySummary wave, TelemetrySummary? baseline, TelemetrySummary? usable,
        Func<TelemetrySummary, double> measure, double? limit, double? increase, Func<double, double, double> allow)
    {
        var baselineValue = usable is null ? null : Known(measure(usable));
        double? relativeLimit = baselineValue is { } b && increase is { } i ? allow(b, i) : null;
        if (wave.Frames < gates.MinSamples)
        {
            return new GateResult(gate, Known(measure(wave)), baselineValue, limit, relativeLimit, GateVerdict.Inconclusive,
                $"{wave.Frames} frames on the new version, below --min-samples {gates.MinSamples}");
        }

        if (Known(measure(wave)) is not { } value)
        {
            return new GateResult(gate, null, baselineValue, limit, relativeLimit, GateVerdict.Inconclusive, $"no {gate} in {wave.Frames} frames' telemetry");
        }

        var aboveRelative = value > relativeLimit;
        var aboveLimit = value > limit;
        // Without a usable baseline a relative limit cannot judge; say so, the absolute one still does.
        var withoutBaseline = increase is not null && usable is null
            ? $"; no baseline to compare with ({(baseline is null ? "no previous version" : $"{baseline.Frames} baseline frames, below --min-samples {gates.MinSamples}")})"
            : "";
        if (aboveRelative)
        {
            return new GateResult(gate, value, baselineValue, limit, relativeLimit, GateVerdict.Fail, $"{gate} {Format(value)} above the baseline's {Format(baselineValue!.Value)} by more than the limit ({Format(relativeLimit!.Value)})");
        }

        if (aboveLimit && baselineValue > limit)
        {
            return new GateResult(gate, value, baselineValue, limit, relativeLimit, GateVerdict.LineWide,
                $"{gate} {Format(value)} above the limit {Format(limit!.Value)}, and so is the previous version's {Format(baselineValue!.Value)}: the line changed, not the model");
        }

        if (aboveLimit)
        {
            return new GateResult(gate, value, baselineValue, limit, relativeLimit, GateVerdict.Fail, $"{gate} {Format(value)} above the limit {Format(limit!.Value)}{withoutBaseline}");
        }

        return new GateResult(gate, value, baselineValue, limit, relativeLimit, GateVerdict.Pass, $"{gate} {Format(value)} within its limits{withoutBaseline}");
    }

    // Agreement compares the new model with the current one on the very same frames, so it is its own baseline.
    private static GateResult JudgeAgreement(RolloutGates gates, TelemetrySummary wave, double least)
    {
        var value = Known(wave.Agreement);
        if (wave.ShadowFrames < gates.MinSamples || value is null)
        {
            return new GateResult(Agreement, value, null, least, null, GateVerdict.Inconclusive,
                $"{wave.ShadowFrames} frames scored by the shadow, below --min-samples {gates.MinSamples}");
        }

        return value < least
            ? new GateResult(Agreement, value, null, least, null, GateVerdict.Fail, $"{Agreement} {Format(value.Value)} below the limit {Format(least)}")
            : new GateResult(Agreement, value, null, least, null, GateVerdict.Pass, $"{Agreement} {Format(value.Value)} within its limit");
    }

    /// <summary>
    /// The audited error gate, null when it is off: the share of the new version's audited (automatic) decisions that
    /// inspectors overturned. It fails only when the evidence says so (the 95 % interval's lower bound is above the
    /// limit) and passes only with enough reviewed cases that a single overturned decision is within the limit
    /// (1 / limit); with fewer it is inconclusive, so the wave waits for verdicts. A breach the baseline cohort's
    /// version shows too holds the wave, as for the telemetry gates.
    /// </summary>
    public static GateResult? JudgeAudited(RolloutGates gates, WilsonInterval? wave, WilsonInterval? baseline)
    {
        ArgumentNullException.ThrowIfNull(gates);
        if (gates.MaxAuditedErrorRate is not { } limit)
        {
            return null;
        }

        GateResult Result(string verdict, string reason) => new(AuditedErrorRate, wave?.Share, baseline?.Share, limit, null, verdict, reason);
        if (wave is not null && wave.Low > limit)
        {
            return baseline is not null && baseline.Low > limit
                ? Result(GateVerdict.LineWide,
                    $"{AuditedErrorRate} {Overturned(wave)} above the limit {Format(limit)}, and so is the previous version's {Overturned(baseline)}: the line changed, not the model")
                : Result(GateVerdict.Fail, $"{AuditedErrorRate} {Overturned(wave)} above the limit {Format(limit)}");
        }

        // Below 1 / limit reviews a single overturned decision would already read as above the limit.
        var needed = (long)Math.Ceiling((1 / limit) - 1e-9);
        if (wave is null || wave.Trials < needed)
        {
            return Result(GateVerdict.Inconclusive,
                $"{wave?.Trials ?? 0} reviewed audited cases on the new version, below the {needed} that a limit of {Format(limit)} needs (1 / limit); waiting for inspectors' verdicts");
        }

        return Result(GateVerdict.Pass, $"{AuditedErrorRate} {Overturned(wave)} within its limit");
    }

    private static string Overturned(WilsonInterval share) =>
        $"{Format(share.Share)} ({share.Successes} of {share.Trials} audited decisions overturned; 95 % interval {Format(share.Low)}-{Format(share.High)})";

    private static double? Known(double value) => double.IsFinite(value) ? value : null;

    private static string Format(double value) => value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}
