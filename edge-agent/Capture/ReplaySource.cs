using EdgeMl.Agent.Pipeline;

namespace EdgeMl.Agent.Capture;

/// <summary>
/// A simulated camera: the files of a folder in a loop, at a fixed frame rate. Like a real camera
/// it does not wait for the agent: frames whose time passed while the pipeline was busy are dropped and counted.
/// </summary>
public sealed class ReplaySource(string folder, double fps, TimeProvider time, FrameCounters counters) : IFrameSource
{
    private readonly FolderFrameSource _files = new(folder, loop: true);
    private readonly TimeSpan _interval = TimeSpan.FromSeconds(1 / fps);
    private long _start = -1;
    private long _frame;

    public async ValueTask<bool> ReadNextAsync(FrameSlot slot, CancellationToken cancellationToken)
    {
        if (_start < 0)
        {
            _start = time.GetTimestamp();
        }

        var due = _interval * _frame;
        var elapsed = time.GetElapsedTime(_start);
        if (elapsed > due + _interval)
        {
            var missed = (long)((elapsed - due) / _interval);
            counters.AddDropped(missed);
            _frame += missed;
            due = _interval * _frame;
        }

        if (due > elapsed)
        {
            await Task.Delay(due - elapsed, time, cancellationToken);
        }

        _frame++;
        return await _files.ReadNextAsync(slot, cancellationToken);
    }
}
