using System.Collections.Immutable;
using EdgeMl.Agent.Decisions;

namespace EdgeMl.Agent.Outcomes;

/// <summary>
/// Everything known about one frame once it is decided: the one value sinks receive. It is
/// immutable and holds no pipeline buffer, so a sink may keep it as long as it likes.
/// </summary>
/// <param name="FrameId">Names the frame across retries (its file name, or its position where the source gives none); audit sampling keys on it.</param>
/// <param name="Model">Null when no model was loaded for the frame.</param>
/// <param name="Labels">The model's labels (shared with the model, not copied); <see cref="Probabilities"/> follow their order.</param>
/// <param name="Input">Null when the frame did not decode.</param>
/// <param name="Shadow">Null when no shadow model ran on the frame.</param>
/// <param name="Error">Why the frame could not be scored; null when it was.</param>
public sealed record FrameOutcome(
    string FrameId,
    DateTimeOffset Time,
    ModelVersionId? Model,
    IReadOnlyList<string> Labels,
    ImmutableArray<float> Probabilities,
    Verdict Verdict,
    FrameLatencies Latencies,
    InputStatistics? Input,
    ShadowResult? Shadow,
    string ExecutionProvider,
    string? Error)
{
    /// <summary>The top label's name; null when no model scored the frame.</summary>
    public string? TopLabel => Verdict.Label >= 0 && Verdict.Label < Labels.Count ? Labels[Verdict.Label] : null;
}
