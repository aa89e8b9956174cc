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
        var holding = rollout.Mode == RolloutState.BlueGreen && rollout.CurrentWave == 0;
        foreach (var member in members)
        {
            targeted++;
            var reported = Reported(rollout, member);
            var standing = probation?.GetValueOrDefault(member.DeviceId) ?? ProbationState.Passed;
            if (reported == "failed")
            {
                failed++;
            }
            else if (reported == "active" && standing is ProbationState.Unhealthy or ProbationState.Silent)
            {
                failed++;
                silent += standing == ProbationState.Silent ? 1 : 0;
            }
            else if (reported == "active" && standing == ProbationState.OnProbation)
            {
                onProbation++;
            }
            else if (reported == "active" || (holding && reported == "ready"))
            {
                updated++;
            }
            else
            {
                pending++;
                // Offline by its MQTT status, which every replica reads: a device streaming to another replica is online here too,
                // so the leader never passes a wave over devices that are connected elsewhere and have not reported yet.
                offline += _presence.IsOnline(member.DeviceId) ? 0 : 1;
            }
        }

        return new WaveCounts(targeted, updated, failed, pending, offline, onProbation, silent);
    }

    // The state the device reported for the rollout's model on its current desired state; null when its last report answers something else.
    private string? Reported(RolloutRecord rollout, RolloutDeviceRecord member)
    {
        var device = _devices.GetValueOrDefault(member.DeviceId);
        var current = device is not null
            && _desired.TryGetValue(member.DeviceId, out var desired)
            && device.ReportedRevision >= desired.Revision
            && device.ReportedModel == rollout.Model;
        return current ? device!.ReportedState : null;
    }
}
