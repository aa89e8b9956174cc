namespace EdgeMl.Agent.Outcomes;

/// <summary>Hands each outcome to every registered sink's queue; it never waits, so the pipeline never slows for a sink.</summary>
public sealed class FrameOutcomeDispatcher
{
    private readonly SinkQueue[] _queues;

    public FrameOutcomeDispatcher(IEnumerable<IFrameOutcomeSink> sinks)
    {
        _queues = sinks.Select(s => new SinkQueue(s)).ToArray();
    }

    internal IReadOnlyList<SinkQueue> Queues => _queues;

    public void Publish(FrameOutcome outcome)
    {
        foreach (var queue in _queues)
        {
            queue.Offer(outcome);
        }
    }

    /// <summary>Outcomes <paramref name="sink"/> never saw because its queue was full.</summary>
    public long Dropped(IFrameOutcomeSink sink) =>
        _queues.FirstOrDefault(q => ReferenceEquals(q.Sink, sink))?.Dropped
        ?? throw new ArgumentException($"sink '{sink.Name}' is not registered", nameof(sink));
}
