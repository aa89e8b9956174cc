using System.Threading.Channels;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Pipeline;

namespace EdgeMl.Agent.Explanation;

/// <summary>
/// Escalated and audited frames waiting for a heatmap. Offering never blocks the pipeline: when heatmaps fall
/// behind, the oldest waiting frame is dropped and counted, so the newest cases keep getting explained.
/// </summary>
public sealed class ExplanationQueue
{
    private readonly Channel<ExplanationRequest> _channel;
    private long _dropped;
    private long _offered;

    public ExplanationQueue(int capacity)
    {
        _channel = Channel.CreateBounded<ExplanationRequest>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>Frames dropped unexplained because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Frames accepted into the queue.</summary>
    public long Offered => Interlocked.Read(ref _offered);

    internal ChannelReader<ExplanationRequest> Reader => _channel.Reader;

    /// <summary>Queues <paramref name="slot"/> when it was escalated or audited by a model; copies its image, so the slot can be reused at once.</summary>
    public bool Offer(FrameSlot slot)
    {
        if (slot.Error is not null || slot.ModelId is null || slot.Verdict.Label < 0 || slot.Verdict.Decision is not (Decision.Escalate or Decision.Audit))
        {
            return false;
        }

        _channel.Writer.TryWrite(new ExplanationRequest(slot.Id, slot.ModelId, slot.Encoded.ToArray(), slot.Verdict.Label));
        Interlocked.Increment(ref _offered);
        return true;
    }
}
