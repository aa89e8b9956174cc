using System.Text.Json.Serialization;

namespace EdgeMl.Agent.Http;

/// <summary>The verdict on one pushed frame, the JSON contract of <c>POST /v1/score</c>.</summary>
internal sealed record ScoreResponse(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("confidence")] float Confidence,
    [property: JsonPropertyName("probabilities")] IReadOnlyDictionary<string, float> Probabilities,
    [property: JsonPropertyName("decision")] string Decision,
    [property: JsonPropertyName("band")] string Band,
    [property: JsonPropertyName("automation")] string? Automation,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("latencyMs")] double LatencyMs);
