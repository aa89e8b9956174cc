using System.Text.Json.Serialization;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>Source-generated JSON for what rollouts store: gate thresholds and wave assessments.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RolloutGates))]
[JsonSerializable(typeof(WaveAssessment))]
internal sealed partial class RolloutJson : JsonSerializerContext;
