using System.Diagnostics;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Bench;

/// <summary>
/// What the simulated devices heard from the server: which are connected (got any state), and, for the
/// version expected now, when the first and the last device got a state naming it as active.
/// </summary>
internal sealed class StateArrivals(int devices)
{
    private readonly int[] _connected = new int[devices];
    private readonly TaskCompletionSource _allConnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connectedCount;
    private volatile Round? _round;

    public Task AllConnected => _allConnected.Task;

    public int ConnectedCount => Volatile.Read(ref _connectedCount);

    /// <summary>Starts the clock for <paramref name="version"/>; returns tasks that complete when the first and when every device has it.</summary>
    public (Task First, Task All) Expect(string version)
    {
        var round = new Round(version, devices);
        _round = round;
        return (round.FirstDone.Task, round.Done.Task);
    }

    /// <summary>From the last <see cref="Expect"/> to the first and to the last device that got its version.</summary>
    public (TimeSpan First, TimeSpan Last) Elapsed()
    {
        var round = _round ?? throw new InvalidOperationException("no version is expected");
        return (Stopwatch.GetElapsedTime(round.Started, Volatile.Read(ref round.First)), Stopwatch.GetElapsedTime(round.Started, Volatile.Read(ref round.Last)));
    }

    public int Arrived => _round is { } round ? Volatile.Read(ref round.Arrived) : 0;

    /// <summary>Notes a state a device received; true the first time the device hears from the server at all.</summary>
    public bool Received(int device, DesiredState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var first = Interlocked.Exchange(ref _connected[device], 1) == 0;
        if (first && Interlocked.Increment(ref _connectedCount) == devices)
        {
            _allConnected.TrySetResult();
        }

        if (_round is { } round && state.Active?.Version == round.Version && Interlocked.Exchange(ref round.Seen[device], 1) == 0)
        {
            var now = Stopwatch.GetTimestamp();
            if (Interlocked.CompareExchange(ref round.First, now, 0) == 0)
            {
                round.FirstDone.TrySetResult();
            }

            if (Interlocked.Increment(ref round.Arrived) == devices)
            {
                Volatile.Write(ref round.Last, now);
                round.Done.TrySetResult();
            }
        }

        return first;
    }

    private sealed class Round(string version, int devices)
    {
        public readonly string Version = version;
        public readonly long Started = Stopwatch.GetTimestamp();
        public readonly int[] Seen = new int[devices];
        public readonly TaskCompletionSource FirstDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public long First;
        public long Last;
        public int Arrived;
    }
}
