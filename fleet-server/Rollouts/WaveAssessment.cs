using System.Text.Json;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// What a wave's record keeps of its gates (<c>rollout_waves.gate_values_json</c>): the wave's own devices counted, the
/// frames the model gates judged and each gate's reading. Gates cover every device the rollout has taken so far.
/// </summary>
internal sealed record WaveAssessment(WaveCounts? Counts, long Samples, IReadOnlyList<GateResult>? Gates)
{
    public string ToJson() => JsonSerializer.Serialize(this, RolloutJson.Default.WaveAssessment);

    /// <summary>The stored assessment; null for none or one written before gates were recorded this way.</summary>
    public static WaveAssessment? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, RolloutJson.Default.WaveAssessment) is { Counts: not null } assessment ? assessment : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
