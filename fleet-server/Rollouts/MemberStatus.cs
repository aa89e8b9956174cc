namespace EdgeMl.Fleet.Rollouts;

/// <summary>Where one device of a rollout stands, by its last report on its current desired state and, once it runs the model, its figures.</summary>
internal enum MemberStatus
{
    /// <summary>No report on its current desired state with the rollout's model yet.</summary>
    Pending,

    Updated,

    /// <summary>It reported a failure, or its own figures fail a gate.</summary>
    Failed,

    /// <summary>Failed by silence: no telemetry for longer than the timeout since its switch.</summary>
    Silent,

    OnProbation,
}
