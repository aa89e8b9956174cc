using System.Text.Json.Serialization;

namespace EdgeMl.Agent.Http;

/// <summary>Source-generated serialisation, so the endpoint needs no reflection (trimmed builds keep working).</summary>
[JsonSerializable(typeof(ScoreResponse))]
[JsonSerializable(typeof(ScoreError))]
internal sealed partial class ScoringJson : JsonSerializerContext;
