using EdgeMl.Agent.Decisions;

namespace EdgeMl.Agent.Inference;

/// <summary>The current <see cref="ModelSet"/>, swapped atomically; a frame never sees half a swap.</summary>
public sealed class ModelHolder : IDisposable
{
    private ModelSet? _current;

    public ModelHolder(TimeProvider time) : this(time, new DecisionOptions())
    {
    }

    public ModelHolder(TimeProvider time, DecisionOptions decisions)
    {
        Time = time;
        Decisions = decisions;
    }

    public ModelHolder(LoadedModel model, TimeProvider time) : this(model, new DecisionOptions(), time)
    {
    }

    public ModelHolder(LoadedModel model, DecisionOptions decisions, TimeProvider time) : this(time, decisions) => Swap(model, null);

    public TimeProvider Time { get; }

    /// <summary>This device's automation level, audit share and band override, applied to every model it swaps in.</summary>
    public DecisionOptions Decisions { get; }

    public ModelSet? Current => Volatile.Read(ref _current);

    public event Action<ModelSet>? Swapped;

    /// <summary>
    /// Makes <paramref name="active"/> (and <paramref name="shadow"/>) score the next frame, decided by the device's settings
    /// or, where a rollout sent them, by <paramref name="fleet"/>; the old set finishes its frames first.
    /// </summary>
    /// <exception cref="EdgeMl.Contracts.Packaging.ModelPackageException">The decision settings do not fit <paramref name="active"/>; the current set stays.</exception>
    public void Swap(LoadedModel active, LoadedModel? shadow, FleetDecisions? fleet = null)
    {
        var next = new ModelSet(active, shadow, fleet?.Over(Decisions) ?? Decisions, Time) { Fleet = fleet };
        var previous = Interlocked.Exchange(ref _current, next);
        if (previous is not null)
        {
            LoadedModel?[] kept = [active, shadow];
            previous.Retire(new[] { previous.Active, previous.Shadow }.OfType<LoadedModel>().Where(m => !kept.Contains(m)).ToList());
        }

        Swapped?.Invoke(next);
    }

    /// <summary>Leases the current set for one frame; null while no model is loaded.</summary>
    public ModelSet? Lease()
    {
        while (Current is { } set)
        {
            if (set.TryLease())
            {
                return set;
            }
        }

        return null;
    }

    /// <summary>Leaves no model loaded (frames are then escalated); the old set finishes its frames first.</summary>
    public void Unload()
    {
        var last = Interlocked.Exchange(ref _current, null);
        last?.Retire(new[] { last.Active, last.Shadow }.OfType<LoadedModel>().ToList());
    }

    public void Dispose() => Unload();
}
