namespace EdgeMl.Fleet.Rollouts;

/// <summary>Where a device that runs the rollout's model stands on its figures.</summary>
internal enum ProbationState
{
    /// <summary>Through probation (or none is asked) with no gate failing on its own figures.</summary>
    Passed,

    /// <summary>Not yet enough frames or time on the new version.</summary>
    OnProbation,

    /// <summary>Its own figures fail a gate: it counts as a failed device.</summary>
    Unhealthy,

    /// <summary>No telemetry for longer than the silence timeout since its switch: it counts as a failed device.</summary>
    Silent,
}
