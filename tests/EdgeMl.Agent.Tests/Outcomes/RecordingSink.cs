using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeMl.Agent.Outcomes;

namespace EdgeMl.Agent.Tests.Outcomes;

/// <summary>Keeps the frame ids it receives; throws on the frames named in <see cref="FailOn"/>.</summary>
internal sealed class RecordingSink : IFrameOutcomeSink
{
    public ConcurrentQueue<string> Received { get; } = new();

    public HashSet<string> FailOn { get; } = [];

    public string Name => "recording";

    public FrameOutcomeQueue Queue { get; } = new(1024, BoundedChannelFullMode.DropWrite);

    public ValueTask ConsumeAsync(FrameOutcome outcome, CancellationToken cancellationToken)
    {
        if (FailOn.Contains(outcome.FrameId))
        {
            throw new InvalidOperationException($"sink failure on {outcome.FrameId}");
        }

        Received.Enqueue(outcome.FrameId);
        return ValueTask.CompletedTask;
    }
}
