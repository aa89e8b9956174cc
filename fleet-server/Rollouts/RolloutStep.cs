using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// Everything one step of a rollout writes: the rollout row, the devices it takes in, their desired states, its wave
/// records and the audit entry. Stored in one transaction, so a crash or a failure never leaves half a step behind
/// (such as a rollout on a wave that has no record).
/// </summary>
internal sealed record RolloutStep(RolloutRecord Rollout)
{
    /// <summary>The rollout is new: inserted rather than updated.</summary>
    public bool Starts { get; init; }

    /// <summary>
    /// The devices the current wave takes in, in wave order: those not yet in the rollout join it with the model
    /// their desired state names now, and get the rollout's desired state.
    /// </summary>
    public IReadOnlyList<string> Offered { get; init; } = [];

    /// <summary>Devices already in the rollout that get its desired state (blue/green's switch releases them).</summary>
    public IReadOnlyList<string> Moving { get; init; } = [];

    /// <summary>Desired states set as they are, not the rollout's (a rollback).</summary>
    public IReadOnlyList<DesiredStateChange> States { get; init; } = [];

    public IReadOnlyList<RolloutWaveRecord> Waves { get; init; } = [];

    public AuditRecord? Audit { get; init; }

    /// <summary>Devices the selector matches that the wave leaves out because their agents do not read the manifest.</summary>
    public AgentFit? LeftOut { get; init; }

    /// <summary>A starting rollout's decision settings for its devices; null when it has none.</summary>
    public RolloutDecisions? Decisions { get; init; }
}
