using System.Threading.Channels;

namespace EdgeMl.Agent.Outcomes;

/// <summary>One sink's bounded channel and the count of outcomes it lost to its full-mode.</summary>
internal sealed class SinkQueue
{
    private readonly Channel<FrameOutcome> _channel;
    private long _dropped;

    public SinkQueue(IFrameOutcomeSink sink)
    {
        Sink = sink;
        var options = new BoundedChannelOptions(sink.Queue.Capacity)
        {
            FullMode = sink.Queue.FullMode,
            SingleReader = true,
            SingleWriter = false,
        };
        _channel = Channel.CreateBounded<FrameOutcome>(options, _ => Interlocked.Increment(ref _dropped));
    }

    public IFrameOutcomeSink Sink { get; }

    public ChannelReader<FrameOutcome> Reader => _channel.Reader;

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Never waits: a drop-mode channel always accepts, and a full one drops by its full-mode and counts it in its callback.</summary>
    public void Offer(FrameOutcome outcome) => _channel.Writer.TryWrite(outcome);
}
