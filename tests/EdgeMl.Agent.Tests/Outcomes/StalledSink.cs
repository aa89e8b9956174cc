using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeMl.Agent.Outcomes;

namespace EdgeMl.Agent.Tests.Outcomes;

/// <summary>A sink with a queue of 4 (drop oldest) that stops on its first outcome until released.</summary>
internal sealed class StalledSink : IFrameOutcomeSink
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<string> Received { get; } = new();

    public string Name => "stalled";

    public FrameOutcomeQueue Queue { get; } = new(4, BoundedChannelFullMode.DropOldest);

    public void Release() => _release.TrySetResult();

    public async ValueTask ConsumeAsync(FrameOutcome outcome, CancellationToken cancellationToken)
    {
        Received.Enqueue(outcome.FrameId);
        await _release.Task.WaitAsync(cancellationToken);
    }
}
