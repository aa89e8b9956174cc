using System.Collections.Immutable;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Outcomes;

namespace EdgeMl.Agent.Tests.Outcomes;

/// <summary>Outcomes as the pipeline would produce them, for sink tests.</summary>
internal static class SampleOutcomes
{
    public static readonly string[] Labels = ["ok", "crack"];

    public static readonly ModelVersionId V1 = new("crack-detector", "1.0.0");

    public static readonly ModelVersionId V2 = new("crack-detector", "2.0.0");

    public static FrameOutcome Scored(
        string frameId,
        int label = 0,
        float confidence = 0.97f,
        Decision decision = Decision.Auto,
        ModelVersionId? model = null,
        ShadowResult? shadow = null,
        double latencyMs = 5) =>
        new(
            frameId,
            DateTimeOffset.UnixEpoch,
            model ?? V1,
            Labels,
            label == 0 ? [confidence, 1 - confidence] : [1 - confidence, confidence],
            new Verdict(label, confidence, decision),
            new FrameLatencies(TimeSpan.FromMilliseconds(latencyMs / 5), TimeSpan.FromMilliseconds(latencyMs * 3 / 5), TimeSpan.FromMilliseconds(latencyMs)),
            new InputStatistics(120, 30, 6),
            shadow,
            "cpu",
            null);

    public static FrameOutcome Failed(string frameId, string error = "the file could not be decoded") =>
        new(
            frameId,
            DateTimeOffset.UnixEpoch,
            V1,
            Labels,
            ImmutableArray<float>.Empty,
            new Verdict(-1, 0, Decision.Error),
            new FrameLatencies(TimeSpan.FromMilliseconds(1), TimeSpan.Zero, TimeSpan.FromMilliseconds(1)),
            null,
            null,
            "cpu",
            error);
}
