using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>Counts, per wave, what the rollout's devices report about the model it brings.</summary>
internal sealed class RolloutProgress
{
    private readonly Dictionary<string, DeviceRecord> _devices;
    private readonly Dictionary<string, DesiredStateRecord> _desired;
    private readonly DesiredStateHub _hub;

    private RolloutProgress(IEnumerable<DeviceRecord> devices, IEnumerable<DesiredStateRecord> desired, DesiredStateHub hub)
    {
        _devices = devices.ToDictionary(d => d.Id, StringComparer.Ordinal);
        _desired = desired.ToDictionary(d => d.DeviceId, StringComparer.Ordinal);
        _hub = hub;
    }

    public IReadOnlyDictionary<string, DeviceRecord> Devices => _devices;

    public IReadOnlyDictionary<string, DesiredStateRecord> Desired => _desired;

    public static async Task<RolloutProgress> LoadAsync(FleetStores stores, DesiredStateHub hub, CancellationToken cancellationToken) =>
        new(await stores.Devices.ListAsync(cancellationToken), await stores.DesiredStates.ListAsync(cancellationToken), hub);

    /// <summary>Counts over <paramref name="members"/>; a report only counts when it answers the device's current desired state.</summary>
    public WaveCounts Count(RolloutRecord rollout, IEnumerable<RolloutDeviceRecord> members)
    {
        int targeted = 0, updated = 0, failed = 0, pending = 0, offline = 0;
        foreach (var member in members)
        {
            targeted++;
            switch (StatusOf(rollout, ReportOf(member.DeviceId)))
            {
                case MemberStatus.Failed:
                    failed++;
                    break;
                case MemberStatus.Updated:
                    updated++;
                    break;
                default:
                    pending++;
                    offline += _hub.IsOnline(member.DeviceId) ? 0 : 1;
                    break;
            }
        }

        return new WaveCounts(targeted, updated, failed, pending, offline);
    }

    /// <summary>Where one member of <paramref name="rollout"/> stands by its report.</summary>
    public static MemberStatus StatusOf(RolloutRecord rollout, MemberReport report)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(report);
        var holding = rollout.Mode == RolloutState.BlueGreen && rollout.CurrentWave == 0;
        var current = report.DesiredRevision is { } desired
            && report.ReportedRevision >= desired
            && report.ReportedModel == rollout.Model;
        return current switch
        {
            true when report.ReportedState == "failed" => MemberStatus.Failed,
            true when report.ReportedState == "active" || (holding && report.ReportedState == "ready") => MemberStatus.Updated,
            _ => MemberStatus.Pending,
        };
    }

    private MemberReport ReportOf(string deviceId)
    {
        var device = _devices.GetValueOrDefault(deviceId);
        return new MemberReport(deviceId, _desired.GetValueOrDefault(deviceId)?.Revision, device?.ReportedModel, device?.ReportedState, device?.ReportedRevision);
    }
}
