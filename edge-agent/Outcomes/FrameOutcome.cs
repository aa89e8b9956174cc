using System.Collections.Immutable;
using EdgeMl.Agent.Decisions;

namespace EdgeMl.Agent.Outcomes;

/// <summary>
/// Everything known about one frame once it is decided: the one value sinks receive. It is
/// immutable and holds no pipeline buffer, so a sink may keep it as long as it likes.
/// </summary>
/// <param name="FrameId">Names the frame across retries (its file name, or its position where the source gives none); audit sampling keys on it.</param>
/// <param name="Time">When the frame's result was ready.</param>
/// <param name="Model">The active model that scored the frame; null when no model was loaded.</param>
/// <param name="Labels">The model's labels (shared with the model, not copied); <paramref name="Probabilities"/> follow their order.</param>
/// <param name="Probabilities">Per-label probabilities, copied out of the pipeline's buffers; empty when the frame was not scored.</param>
/// <param name="Verdict">The suggested label, its probability, band, decision and automation level.</param>
/// <param name="Latencies">Decode, inference and end-to-end time of the frame.</param>
/// <param name="Input">Statistics of what the model saw; null when the frame did not decode.</param>
/// <param name="Shadow">The shadow model's view; null when no shadow model ran on the frame.</param>
/// <param name="ExecutionProvider">The provider the active model ran on (empty without a model).</param>
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
    /// <summary>The line's part this frame decided, when the line announced one (line I/O); null otherwise.</summary>
    public long? PartId { get; init; }

    /// <summary>The frame as it was encoded, for a frame that goes to a person (escalated or audited) while cases are kept; empty otherwise, so a confident frame copies nothing.</summary>
    public ReadOnlyMemory<byte> Image { get; init; }

    /// <summary>The top label's name; null when no model scored the frame.</summary>
    public string? TopLabel => Verdict.Label >= 0 && Verdict.Label < Labels.Count ? Labels[Verdict.Label] : null;
}
