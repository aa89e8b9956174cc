using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// The running counts of one rollout's current state, read in full once and then moved by each report that
/// arrives, so a step costs what changed rather than what the rollout holds.
/// </summary>
internal sealed class RolloutTally
{
    private readonly RolloutRecord _rollout;
    private readonly Dictionary<string, MemberStatus> _members = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private int _updated;
    private int _failed;

    public RolloutTally(RolloutRecord rollout, IEnumerable<MemberReport> members)
    {
        _rollout = rollout;
        foreach (var member in members)
        {
            _members[member.DeviceId] = MemberStatus.Pending;
            _pending.Add(member.DeviceId);
            Apply(member);
        }
    }

    /// <summary>Takes a device's newer report into the counts; a device outside the rollout changes nothing.</summary>
    public void Apply(MemberReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!_members.TryGetValue(report.DeviceId, out var was))
        {
            return;
        }

        var now = RolloutProgress.StatusOf(_rollout, report);
        if (now == was)
        {
            return;
        }

        Move(report.DeviceId, was, -1);
        Move(report.DeviceId, now, +1);
        _members[report.DeviceId] = now;
    }

    /// <summary>The counts now; whether a pending device is online is asked of the hub (pending devices only).</summary>
    public WaveCounts Count(DesiredStateHub hub)
    {
        ArgumentNullException.ThrowIfNull(hub);
        var offline = _pending.Count(id => !hub.IsOnline(id));
        return new WaveCounts(_members.Count, _updated, _failed, _pending.Count, offline);
    }

    private void Move(string deviceId, MemberStatus status, int by)
    {
        switch (status)
        {
            case MemberStatus.Updated:
                _updated += by;
                break;
            case MemberStatus.Failed:
                _failed += by;
                break;
            default:
                if (by > 0)
                {
                    _pending.Add(deviceId);
                }
                else
                {
                    _pending.Remove(deviceId);
                }

                break;
        }
    }
}
