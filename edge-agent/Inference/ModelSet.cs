using System.Collections.Concurrent;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Pipeline;

namespace EdgeMl.Agent.Inference;

/// <summary>
/// An immutable snapshot of what scores frames: the active model and, optionally, a shadow model.
/// Frames lease the snapshot they started on, so a swap lets frames in flight finish on the old
/// models; the old snapshot releases its retired models once its last frame is done.
/// </summary>
public sealed class ModelSet
{
    private readonly ConcurrentBag<FrameWorker> _workers = [];
    private readonly TimeProvider _time;
    private IReadOnlyList<LoadedModel> _retire = [];
    private int _leases = 1;

    /// <exception cref="EdgeMl.Contracts.Packaging.ModelPackageException">The device's decision settings do not fit <paramref name="active"/>.</exception>
    public ModelSet(LoadedModel active, LoadedModel? shadow, DecisionOptions decisions, TimeProvider time)
    {
        Policy = new DecisionPolicy(active.Manifest, decisions);
        Active = active;
        Shadow = shadow;
        _time = time;
    }

    public LoadedModel Active { get; }

    public LoadedModel? Shadow { get; }

    /// <summary>How the active model's frames are decided; one per set, so a swap changes model and bands together.</summary>
    public DecisionPolicy Policy { get; }

    /// <summary>The rollout's decision settings in force over the device's; null when the device's own decide.</summary>
    public FleetDecisions? Fleet { get; init; }

    /// <summary>Frames scored by active and shadow alike and those where their top labels agreed.</summary>
    public long ShadowFrames => Interlocked.Read(ref _shadowFrames);

    public long ShadowAgreements => Interlocked.Read(ref _shadowAgreements);

    /// <summary>Frames the shadow model failed on; they count neither as agreement nor against the active model.</summary>
    public long ShadowErrors => Interlocked.Read(ref _shadowErrors);

    private long _shadowFrames;
    private long _shadowAgreements;
    private long _shadowErrors;

    internal bool TryLease()
    {
        for (var leases = Volatile.Read(ref _leases); leases > 0; leases = Volatile.Read(ref _leases))
        {
            if (Interlocked.CompareExchange(ref _leases, leases + 1, leases) == leases)
            {
                return true;
            }
        }

        return false;
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _leases) == 0)
        {
            while (_workers.TryTake(out var worker))
            {
                worker.Dispose();
            }

            foreach (var model in _retire)
            {
                model.Dispose();
            }
        }
    }

    /// <summary>Called once by the holder when this snapshot is replaced; <paramref name="retire"/> are the models the successor no longer uses.</summary>
    internal void Retire(IReadOnlyList<LoadedModel> retire)
    {
        _retire = retire;
        Release();
    }

    internal FrameWorker RentWorker() => _workers.TryTake(out var worker) ? worker : new FrameWorker(Active, Shadow, Policy, _time);

    internal void ReturnWorker(FrameWorker worker) => _workers.Add(worker);

    internal void CountShadowError() => Interlocked.Increment(ref _shadowErrors);

    internal void CountShadow(bool agreed)
    {
        Interlocked.Increment(ref _shadowFrames);
        if (agreed)
        {
            Interlocked.Increment(ref _shadowAgreements);
        }
    }
}
