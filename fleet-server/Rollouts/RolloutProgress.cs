using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>Counts, per wave, what the rollout's devices report about the model it brings.</summary>
internal sealed class RolloutProgress
{
    private readonly Dictionary<string, DeviceRecord> _devices;
    private readonly Dictionary<string, DesiredStateRecord> _desired;
    private readonly DevicePresence _presence;

    private RolloutProgress(IEnumerable<DeviceRecord> devices, IEnumerable<DesiredStateRecord> desired, DevicePresence presence)
    {
        _devices = devices.ToDictionary(d => d.Id, StringComparer.Ordinal);
        _desired = desired.ToDictionary(d => d.DeviceId, StringComparer.Ordinal);
        _presence = presence;
    }

    public IReadOnlyDictionary<string, DeviceRecord> Devices => _devices;

    public IReadOnlyDictionary<string, DesiredStateRecord> Desired => _desired;

    public static async Task<RolloutProgress> LoadAsync(FleetStores stores, DevicePresence presence, CancellationToken cancellationToken) =>
        new(await stores.Devices.ListAsync(cancellationToken), await stores.DesiredStates.ListAsync(cancellationToken), presence);

    /// <summary>Whether the device reports the rollout's model running (active, or loaded as the shadow) on its current desired state.</summary>
    public bool Runs(RolloutRecord rollout, RolloutDeviceRecord member) => Reported(rollout, member) == "active";

    /// <summary>
    /// Counts over <paramref name="members"/>; a report only counts when it answers the device's current desired state.
    /// A device that runs the new model is updated once <paramref name="probation"/> says it passed (or says nothing of it).
    /// </summary>
    public WaveCounts Count(RolloutRecord rollout, IEnumerable<RolloutDeviceRecord> members, IReadOnlyDictionary<string, ProbationState>? probation = null)
    {
        int targeted = 0, updated = 0, failed = 0, pending = 0, offline = 0, onProbation = 0, silent = 0;
        foreach (var member in members)
        {
            targeted++;
            switch (StatusOf(rollout, Reported(rollout, member), probation?.GetValueOrDefault(member.DeviceId) ?? ProbationState.Passed))
            {
                case MemberStatus.Failed:
                    failed++;
                    break;
                case MemberStatus.Silent:
                    failed++;
                    silent++;
                    break;
                case MemberStatus.OnProbation:
                    onProbation++;
                    break;
                case MemberStatus.Updated:
                    updated++;
                    break;
                default:
                    pending++;
                    // Offline by its MQTT status, which every replica reads: a device streaming to another replica is online here too,
                    // so the leader never passes a wave over devices that are connected elsewhere and have not reported yet.
                    offline += _presence.IsOnline(member.DeviceId) ? 0 : 1;
                    break;
            }
        }

        return new WaveCounts(targeted, updated, failed, pending, offline, onProbation, silent);
    }

    /// <summary>
    /// Where a member stands by the state it <paramref name="reported"/> for the rollout's model on its current desired
    /// state (null: none) and, running it, by its <paramref name="standing"/>.
    /// </summary>
    public static MemberStatus StatusOf(RolloutRecord rollout, string? reported, ProbationState standing)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var holding = rollout.Mode == RolloutState.BlueGreen && rollout.CurrentWave == 0;
        return reported switch
        {
            "failed" => MemberStatus.Failed,
            "active" when standing == ProbationState.Unhealthy => MemberStatus.Failed,
            "active" when standing == ProbationState.Silent => MemberStatus.Silent,
            "active" when standing == ProbationState.OnProbation => MemberStatus.OnProbation,
            "active" => MemberStatus.Updated,
            "ready" when holding => MemberStatus.Updated,
            _ => MemberStatus.Pending,
        };
    }

    /// <summary>The state a report names when it answers the current desired state (<paramref name="desiredRevision"/>) with the rollout's model; else null.</summary>
    public static string? ReportedOn(RolloutRecord rollout, long? desiredRevision, string? reportedModel, long? reportedRevision, string? reportedState)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        return desiredRevision is { } desired && reportedRevision >= desired && reportedModel == rollout.Model ? reportedState : null;
    }

    // The state the device reported for the rollout's model on its current desired state; null when its last report answers something else.
    private string? Reported(RolloutRecord rollout, RolloutDeviceRecord member)
    {
        var device = _devices.GetValueOrDefault(member.DeviceId);
        return ReportedOn(rollout, _desired.GetValueOrDefault(member.DeviceId)?.Revision, device?.ReportedModel, device?.ReportedRevision, device?.ReportedState);
    }
}
