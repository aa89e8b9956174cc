using System.Threading.Channels;

namespace EdgeMl.Agent.Outcomes;

/// <summary>A sink's queue: its capacity and what is dropped when it is full (never a wait: the pipeline does not wait for sinks).</summary>
public sealed record FrameOutcomeQueue
{
    public FrameOutcomeQueue(int capacity, BoundedChannelFullMode fullMode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (fullMode == BoundedChannelFullMode.Wait)
        {
            throw new ArgumentException("a sink's queue must drop when full (DropOldest, DropNewest or DropWrite): the pipeline never waits for a sink", nameof(fullMode));
        }

        Capacity = capacity;
        FullMode = fullMode;
    }

    public int Capacity { get; }

    public BoundedChannelFullMode FullMode { get; }
}
