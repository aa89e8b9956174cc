using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// Health-gate thresholds of a rollout. A null limit and a zero probation or timeout are off. Rates are fractions
/// (0.05 is 5 %); "increase" limits compare the wave with the baseline cohort over the same window (README, Rollouts).
/// </summary>
internal sealed record RolloutGates
{
    public double MaxFailureRate { get; init; } = 0.10;

    public double? MaxErrorRate { get; init; }

    /// <summary>Most the wave's error rate may exceed the baseline's, in points (0.01: baseline 2 % allows 3 %).</summary>
    public double? MaxErrorIncrease { get; init; }

    public double? MaxP95LatencyMs { get; init; }

    /// <summary>Most the wave's p95 latency may exceed the baseline's, as a ratio (0.2: baseline 10 ms allows 12 ms).</summary>
    public double? MaxP95LatencyIncrease { get; init; }

    public double? MaxEscalationRate { get; init; }

    /// <summary>Most the wave's escalation rate may exceed the baseline's, in points (0.05: baseline 4 % allows 9 %).</summary>
    public double? MaxEscalationIncrease { get; init; }

    /// <summary>
    /// Most share of the new version's audited automatic decisions that inspectors overturn, judged by the 95 % Wilson
    /// interval's lower bound; it passes only once there are 1 / limit reviewed audited cases (Review, <c>ModelAccuracy</c>).
    /// </summary>
    public double? MaxAuditedErrorRate { get; init; }

    /// <summary>Least share of frames on which a shadow model's top label matches the active model's.</summary>
    public double? MinAgreement { get; init; }

    /// <summary>Frames the wave (and the baseline, for relative limits) must have scored before a gate judges.</summary>
    public long MinSamples { get; init; } = 100;

    /// <summary>Frames a device scores on the new version, with healthy figures, before it counts as updated.</summary>
    public long ProbationFrames { get; init; }

    /// <summary>Or time on the new version, with healthy figures, before it counts as updated.</summary>
    public long ProbationSeconds { get; init; }

    /// <summary>A device that sends no telemetry for this long after its switch counts as failed.</summary>
    public long SilenceTimeoutSeconds { get; init; }

    /// <summary>Whether any gate, probation or timeout reads telemetry; a rollout without them judges installs only.</summary>
    [JsonIgnore]
    public bool UsesTelemetry => HasModelGates || ProbationFrames > 0 || ProbationSeconds > 0 || SilenceTimeoutSeconds > 0;

    [JsonIgnore]
    public bool HasModelGates =>
        MaxErrorRate is not null || MaxErrorIncrease is not null || MaxP95LatencyMs is not null || MaxP95LatencyIncrease is not null
        || MaxEscalationRate is not null || MaxEscalationIncrease is not null || MaxAuditedErrorRate is not null || MinAgreement is not null;

    public string ToJson() => JsonSerializer.Serialize(this, RolloutJson.Default.RolloutGates);

    public static RolloutGates FromJson(string json) => JsonSerializer.Deserialize(json, RolloutJson.Default.RolloutGates) ?? new RolloutGates();

    /// <summary>Refuses thresholds out of range and gates the mode cannot measure, naming every problem at once.</summary>
    public void Validate(string mode)
    {
        var problems = new List<string>();
        void Fraction(double? value, string flag)
        {
            if (value is < 0 or > 1)
            {
                problems.Add($"{flag} must be between 0 and 1");
            }
        }

        Fraction(MaxFailureRate, "--max-failure-rate");
        Fraction(MaxErrorRate, "--max-error-rate");
        Fraction(MaxErrorIncrease, "--max-error-increase");
        Fraction(MaxEscalationRate, "--max-escalation-rate");
        Fraction(MaxEscalationIncrease, "--max-escalation-increase");
        if (MaxAuditedErrorRate is <= 0 or > 1)
        {
            problems.Add("--max-audited-error-rate must be above 0 and at most 1");
        }

        Fraction(MinAgreement, "--min-agreement");
        if (MaxP95LatencyMs is <= 0 || MaxP95LatencyIncrease is < 0)
        {
            problems.Add("--max-p95-latency-ms must be above 0 and --max-p95-latency-increase at least 0");
        }

        if (MinSamples < 1 || ProbationFrames < 0 || ProbationSeconds < 0 || SilenceTimeoutSeconds < 0)
        {
            problems.Add("--min-samples must be at least 1; probation and --silence-timeout at least 0");
        }

        // A shadow's aggregates carry its labels and agreement only: the active model still decides, so the shadow has no
        // error, escalation, latency or audited decisions of its own; and only a shadow has an agreement to measure.
        var decides = MaxErrorRate ?? MaxErrorIncrease ?? MaxP95LatencyMs ?? MaxP95LatencyIncrease ?? MaxEscalationRate ?? MaxEscalationIncrease ?? MaxAuditedErrorRate;
        if (mode == RolloutState.Shadow && decides is not null)
        {
            problems.Add("a shadow rollout is judged by --min-agreement only (the shadow decides nothing); error, latency, escalation and audited error gates need canary or blue-green");
        }

        if (mode != RolloutState.Shadow && MinAgreement is not null)
        {
            problems.Add("--min-agreement needs --mode shadow (only a shadow model runs beside the current one)");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems));
        }
    }
}
