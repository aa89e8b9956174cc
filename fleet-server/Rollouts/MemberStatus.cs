namespace EdgeMl.Fleet.Rollouts;

/// <summary>Where one device of a rollout stands: its report answers the current desired state with the rollout's model, or not yet.</summary>
internal enum MemberStatus
{
    Pending,
    Updated,
    Failed,
}
