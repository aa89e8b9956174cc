using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// A rollout's decision settings for the devices it moves to its model: an automation level and bands that override
/// the devices' own settings and the manifest's bands (sent in their desired states). Either may be absent.
/// </summary>
internal sealed record RolloutDecisions
{
    private static readonly string[] Levels = ["human", "shadow", "assist", "partial", "full"];

    public string? Automation { get; init; }

    public RolloutBands? Bands { get; init; }

    /// <summary>The request's settings; null when it names none.</summary>
    public static RolloutDecisions? From(StartRolloutRequest request)
    {
        var automation = string.IsNullOrWhiteSpace(request.Automation) ? null : request.Automation.Trim().ToLowerInvariant();
        var bands = request.Bands is { } b ? new RolloutBands(b.Label, b.Lower, b.Upper) : null;
        return automation is null && bands is null ? null : new RolloutDecisions { Automation = automation, Bands = bands };
    }

    /// <summary>Every reason these settings cannot go to devices running <paramref name="manifest"/>'s model; empty when they can.</summary>
    public IReadOnlyList<string> Problems(ModelManifest manifest)
    {
        var problems = new List<string>();
        if (Automation is { } level && !Levels.Contains(level))
        {
            problems.Add($"automation '{level}' is not one of {string.Join(", ", Levels)}");
        }

        if (Bands is { } bands)
        {
            ManifestValidator.ValidateBands(new BandSpec { Label = bands.Label, Lower = bands.Lower, Upper = bands.Upper }, "bands", manifest.Output.Labels, problems);
        }

        return problems;
    }

    /// <summary>Puts the settings into a desired state (or a rollout's status).</summary>
    public (string Automation, DecisionBands? Bands) ToProto() =>
        (Automation ?? "", Bands is { } b ? new DecisionBands { Label = b.Label, Lower = b.Lower, Upper = b.Upper } : null);

    public string ToJson() => JsonSerializer.Serialize(this, RolloutDecisionsJson.Default.RolloutDecisions);

    public static RolloutDecisions? FromJson(string? json) =>
        json is null ? null : JsonSerializer.Deserialize(json, RolloutDecisionsJson.Default.RolloutDecisions);
}

internal sealed record RolloutBands(string Label, double Lower, double Upper);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RolloutDecisions))]
internal sealed partial class RolloutDecisionsJson : JsonSerializerContext;
