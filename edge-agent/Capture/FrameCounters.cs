using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Pipeline;

namespace EdgeMl.Agent.Capture;

/// <summary>Running totals of what the device did with its frames; the telemetry aggregates start from these.</summary>
public sealed class FrameCounters
{
    private long _frames;
    private long _auto;
    private long _escalated;
    private long _errors;
    private long _dropped;

    public long Frames => Interlocked.Read(ref _frames);

    public long Auto => Interlocked.Read(ref _auto);

    public long Escalated => Interlocked.Read(ref _escalated);

    public long Errors => Interlocked.Read(ref _errors);

    public long Dropped => Interlocked.Read(ref _dropped);

    public void AddDropped(long frames) => Interlocked.Add(ref _dropped, frames);

    public void Count(FrameSlot slot)
    {
        Interlocked.Increment(ref _frames);
        _ = slot.Verdict.Decision switch
        {
            Decision.Auto or Decision.Audit => Interlocked.Increment(ref _auto),
            Decision.Escalate => Interlocked.Increment(ref _escalated),
            _ => Interlocked.Increment(ref _errors),
        };
    }

    public override string ToString() => $"{Frames} frames: {Auto} auto, {Escalated} escalated, {Errors} errors, {Dropped} dropped";
}
