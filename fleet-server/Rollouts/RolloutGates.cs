using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>Health-gate thresholds of a rollout. Device failures gate now; telemetry adds the others to the same gates.</summary>
internal sealed record RolloutGates
{
    public double MaxFailureRate { get; init; } = 0.10;
    public double? MaxErrorRate { get; init; }
    public double? MaxP95LatencyMs { get; init; }
    public double? MaxEscalationIncrease { get; init; }
    public double? MinAgreement { get; init; }
    public long MinSamples { get; init; } = 100;

    public string ToJson() => JsonSerializer.Serialize(this, RolloutJson.Default.RolloutGates);

    public static RolloutGates FromJson(string json) => JsonSerializer.Deserialize(json, RolloutJson.Default.RolloutGates) ?? new RolloutGates();
}

/// <summary>Where a wave stands: what its gates look at.</summary>
internal sealed record WaveCounts(int Targeted, int Updated, int Failed, int Pending, int Offline)
{
    public double FailureRate => Targeted == 0 ? 0 : (double)Failed / Targeted;

    public string ToJson() => JsonSerializer.Serialize(this, RolloutJson.Default.WaveCounts);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RolloutGates))]
[JsonSerializable(typeof(WaveCounts))]
internal sealed partial class RolloutJson : JsonSerializerContext;
