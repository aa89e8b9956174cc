using System.Collections.Concurrent;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.LineIo;
using EdgeMl.Agent.Pipeline;

namespace EdgeMl.Agent.Capture;

/// <summary>
/// Ties the line's parts to the camera's frames: the first frame taken in after a part's trigger is that part's,
/// and its verdict becomes the part's decision. The camera runs continuously, so asking for a part's frame is
/// choosing it, not starting a capture.
/// </summary>
internal sealed class PartFrames(TimeProvider time, string passLabel, Func<string, IReadOnlyList<string>?> labelsOfModel) : IScoreRequests
{
    private readonly ConcurrentQueue<(long Part, long Requested)> _waiting = new();

    public void ScoreNextFrame(long partId) => _waiting.Enqueue((partId, time.GetTimestamp()));

    /// <summary>The decision for the part waiting for this frame, if one is; called in frame order by the pipeline's sink.</summary>
    public PartDecision? Match(FrameSlot slot)
    {
        if (!_waiting.TryPeek(out var next) || slot.StartTimestamp < next.Requested || !_waiting.TryDequeue(out next))
        {
            return null;
        }

        return new PartDecision(next.Part, Decide(slot));
    }

    private LineDecision Decide(FrameSlot slot)
    {
        if (slot.Error is not null || slot.Verdict.Decision == Decision.Error)
        {
            return LineDecision.Error;
        }

        if (slot.Verdict.Decision != Decision.Auto)
        {
            return LineDecision.Escalate;
        }

        // The labels of the model that scored the frame; after a swap mid-frame they are unknown, and unknown is not a pass.
        var labels = slot.ModelId is { } model ? labelsOfModel(model) : null;
        if (labels is null || slot.Verdict.Label >= labels.Count)
        {
            return LineDecision.Error;
        }

        return labels[slot.Verdict.Label] == passLabel ? LineDecision.AutoPass : LineDecision.AutoReject;
    }
}
