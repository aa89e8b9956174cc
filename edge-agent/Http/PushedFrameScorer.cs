using System.Collections.Concurrent;
using EdgeMl.Agent.Explanation;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Pipeline;

namespace EdgeMl.Agent.Http;

/// <summary>
/// Scores frames pushed one at a time through the pipeline's own path (<see cref="FramePipeline.Score"/>: the current
/// model set, its pooled workers, its decisions). At most as many frames as the agent has workers are scored at
/// once, so a burst of requests queues here instead of building a worker per request.
/// </summary>
internal sealed class PushedFrameScorer(ModelHolder models, int workers, ExplanationQueue? explanations) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(workers, workers);
    private readonly ConcurrentBag<FrameSlot> _slots = [];

    /// <summary>Scores <paramref name="encoded"/> and hands the scored slot to <paramref name="read"/>; the slot is reused once it returns.</summary>
    public async Task<T> ScoreAsync<T>(ReadOnlyMemory<byte> encoded, string name, Func<FrameSlot, T> read, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        var slot = _slots.TryTake(out var pooled) ? pooled : new FrameSlot();
        try
        {
            slot.Reset();
            slot.Name = name;
            slot.Load(encoded.Span);
            slot.StartTimestamp = models.Time.GetTimestamp();
            FramePipeline.Score(models, slot);
            slot.EndTimestamp = models.Time.GetTimestamp();
            explanations?.Offer(slot);
            return read(slot);
        }
        finally
        {
            _slots.Add(slot);
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
