namespace EdgeMl.Agent.Capture;

/// <summary>What the camera delivered: frames, the ones the agent was too busy to take, reconnects, and the measured frame rate.</summary>
public sealed class CameraStatistics
{
    private long _received;
    private long _dropped;
    private long _reconnects;
    private long _framesPerSecondBits;

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Frames replaced by newer ones before the pipeline took them.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Times the camera dropped out and the source started over.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Frames per second over the last measuring window.</summary>
    public double FramesPerSecond => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _framesPerSecondBits));

    internal void AddReceived() => Interlocked.Increment(ref _received);

    internal void AddDropped() => Interlocked.Increment(ref _dropped);

    internal void AddReconnect() => Interlocked.Increment(ref _reconnects);

    internal void SetFramesPerSecond(double value) => Interlocked.Exchange(ref _framesPerSecondBits, BitConverter.DoubleToInt64Bits(value));

    public override string ToString() => $"{FramesPerSecond:F1} fps, {Received} frames, {Dropped} dropped, {Reconnects} reconnects";
}
