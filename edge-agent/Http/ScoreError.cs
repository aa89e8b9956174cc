using System.Text.Json.Serialization;

namespace EdgeMl.Agent.Http;

/// <summary>Why a pushed frame got no verdict, in one line.</summary>
internal sealed record ScoreError([property: JsonPropertyName("error")] string Error);
