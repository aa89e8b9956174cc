using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// One running rollout's standing, kept between steps: read in full once, then moved by what arrived since the last
/// step (the reports of devices that reported, the telemetry windows received), so a step costs what changed rather
/// than what the rollout holds. Probation is kept the same way: a device is judged again only when its report or its
/// telemetry changed, or when time alone changes its standing (its probation time ends, its silence timeout passes);
/// it is then judged against the baseline cohort as it stands at that step. The wave's figures are the running sum of
/// its devices' windows on the new model since each joined: a device that stops running it keeps its windows there.
/// </summary>
internal sealed class RolloutTally
{
    /// <summary>
    /// Reports and windows are re-read this far back: one committed just after a step may carry a time before it, and
    /// replicas' clocks differ a little. A window read twice counts once (by its message id).
    /// </summary>
    public static readonly TimeSpan Slack = TimeSpan.FromSeconds(10);

    private readonly RolloutRecord _rollout;
    private readonly RolloutGates _gates;
    private readonly bool _shadow;
    private readonly bool _judges;
    private readonly (string Name, string Version) _model;
    private readonly (string Name, string Version)? _previous;
    private readonly TagSelector _selector;
    private readonly Dictionary<string, RolloutMember> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProbationState> _standings = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Wave, MemberStatus Status), int> _counts = [];
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private readonly HashSet<string> _offline = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int> _offlineByWave = [];
    private readonly DevicePresence _presence;
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _due = new();
    private readonly Dictionary<string, bool> _cohort = new(StringComparer.Ordinal);
    private readonly HashSet<string> _windowsSeen = new(StringComparer.Ordinal);
    private readonly Queue<(DateTimeOffset ReceivedAt, string MessageId)> _windowsSeenOrder = new();
    private readonly List<string> _switched = [];
    private readonly TelemetrySummary _wave = new();
    private readonly TelemetrySummary? _baseline;
    private DateTimeOffset _windowsReadTo;
    private DateTimeOffset? _firstSwitch;
    private int _running;

    private RolloutTally(RolloutRecord rollout, IReadOnlyList<RolloutDeviceRecord> records, IReadOnlyList<MemberReport> reports, DevicePresence presence)
    {
        _rollout = rollout;
        _presence = presence;
        _gates = RolloutGates.FromJson(rollout.GatesJson);
        _shadow = rollout.Mode == RolloutState.Shadow;
        // Blue/green's first step only warms: nothing runs the new model before the switch.
        _judges = _gates.UsesTelemetry && !(rollout.Mode == RolloutState.BlueGreen && rollout.CurrentWave == 0);
        _model = ModelRegistry.ParseId(rollout.Model);
        _previous = rollout.PreviousModel is { } previous && !_shadow ? ModelRegistry.ParseId(previous) : null;
        _baseline = _previous is null ? null : new TelemetrySummary();
        _selector = TagSelector.Parse(rollout.Selector);
        var reported = reports.ToDictionary(r => r.DeviceId, StringComparer.Ordinal);
        foreach (var record in records)
        {
            var member = new RolloutMember(record, reported.GetValueOrDefault(record.DeviceId) ?? new MemberReport(record.DeviceId, null, null, null, null));
            _members[record.DeviceId] = member;
            Move(member, +1);
            _changed.Add(record.DeviceId);
            if (record.SwitchedAt is { } switchedAt && (_firstSwitch is null || switchedAt < _firstSwitch))
            {
                _firstSwitch = switchedAt;
            }
        }

        _windowsReadTo = (records.Count == 0 ? rollout.CreatedAt : records.Min(r => r.AddedAt)) - Slack;
    }

    /// <summary>The devices first seen running the model since the last <see cref="Switched"/> was taken, to store their switch time.</summary>
    public IReadOnlyList<string> Switched => _switched;

    /// <summary>
    /// Reads the rollout's devices, their reports, and (for gates that need them) the telemetry since it started;
    /// <paramref name="presence"/> (every device's MQTT status, the same on every replica) says which are online.
    /// </summary>
    public static async Task<RolloutTally> LoadAsync(RolloutRecord rollout, FleetStores stores, DevicePresence presence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(stores);
        ArgumentNullException.ThrowIfNull(presence);
        var tally = new RolloutTally(
            rollout, await stores.Rollouts.ListDevicesAsync(rollout.Id, cancellationToken), await stores.MemberReports.ListMembersAsync(rollout.Id, cancellationToken), presence);
        if (tally._judges && tally._baseline is not null)
        {
            // The baseline cohort is every device of the selector, in the rollout or not: which they are is read once.
            foreach (var device in await stores.Devices.ListAsync(cancellationToken))
            {
                tally._cohort[device.Id] = tally._selector.Matches(device.Tags);
            }
        }

        return tally;
    }

    /// <summary>Takes a device's newer report in; a device outside the rollout changes nothing.</summary>
    public void Apply(MemberReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (_members.TryGetValue(report.DeviceId, out var member) && member.Report != report)
        {
            member.Report = report;
            _changed.Add(report.DeviceId);
        }
    }

    /// <summary>Takes in devices whose MQTT status changed (a device outside the rollout changes nothing); null: look at every pending device again.</summary>
    public void Presence(IReadOnlyCollection<string>? changed)
    {
        IEnumerable<string> devices = changed ?? _pending;
        foreach (var id in devices)
        {
            if (_members.TryGetValue(id, out var member) && member.Status == MemberStatus.Pending)
            {
                SetOffline(member, !_presence.IsOnline(id));
            }
        }
    }

    /// <summary>
    /// Reads the windows received since the last step and judges again the devices whose standing may have moved; the
    /// audited error gate, where set, is read through <paramref name="judge"/> at every step (its verdicts are not telemetry).
    /// </summary>
    public async Task<RolloutReading> RefreshAsync(FleetStores stores, RolloutJudge judge, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stores);
        ArgumentNullException.ThrowIfNull(judge);
        _switched.Clear();
        foreach (var id in _changed)
        {
            Observe(_members[id], now);
        }

        if (_judges)
        {
            var windows = await stores.Telemetry.ListReceivedAsync(_model, _previous ?? _model, _windowsReadTo - Slack, cancellationToken);
            foreach (var window in windows)
            {
                await TakeAsync(window, stores, now, cancellationToken);
            }

            _windowsReadTo = now;
            while (_windowsSeenOrder.TryPeek(out var seen) && seen.ReceivedAt < now - Slack - Slack)
            {
                _windowsSeen.Remove(_windowsSeenOrder.Dequeue().MessageId);
            }

            while (_due.TryPeek(out var id, out var at) && at <= now)
            {
                _due.Dequeue();
                _changed.Add(id);
            }
        }

        foreach (var id in _changed)
        {
            Judge(_members[id], now);
        }

        _changed.Clear();
        if (!_judges)
        {
            return RolloutReading.None with { Switched = [.. _switched] };
        }

        var gates = _running == 0 ? ModelGates.Judge(_gates, _shadow, TelemetrySummary.Of([]), null) : ModelGates.Judge(_gates, _shadow, _wave, _baseline);
        if (_gates.MaxAuditedErrorRate is not null)
        {
            var running = _members.Values.Where(m => m.Running).Select(m => m.Record).ToList();
            var cohort = _cohort.Where(c => c.Value).Select(c => c.Key).ToList();
            gates = [.. gates, (await judge.AuditedAsync(_rollout, _gates, running, cohort, cancellationToken))!];
        }

        return new RolloutReading(_standings, _shadow ? _wave.ShadowFrames : _wave.Frames, gates, [.. _switched]);
    }

    /// <summary>The counts of the wave <paramref name="wave"/>, or of every device when null.</summary>
    public WaveCounts Count(int? wave)
    {
        int Sum(MemberStatus status) => _counts.Where(c => c.Key.Status == status && (wave is null || c.Key.Wave == wave)).Sum(c => c.Value);
        var pending = Sum(MemberStatus.Pending);
        var offline = wave is { } index ? _offlineByWave.GetValueOrDefault(index) : _offline.Count;
        var silent = Sum(MemberStatus.Silent);
        var updated = Sum(MemberStatus.Updated);
        var failed = Sum(MemberStatus.Failed) + silent;
        var onProbation = Sum(MemberStatus.OnProbation);
        return new WaveCounts(updated + failed + pending + onProbation, updated, failed, pending, offline, onProbation, silent);
    }

    // Whether the device runs the model now; the first time, where the gates judge it, its switch time is this step's.
    private void Observe(RolloutMember member, DateTimeOffset now)
    {
        var report = member.Report;
        var running = RolloutProgress.ReportedOn(_rollout, report.DesiredRevision, report.ReportedModel, report.ReportedRevision, report.ReportedState) == "active";
        if (running != member.Running)
        {
            _running += running ? 1 : -1;
            member.Running = running;
        }

        if (running && _judges && member.Record.SwitchedAt is null)
        {
            member.Record = member.Record with { SwitchedAt = now };
            _switched.Add(member.Record.DeviceId);
        }

        if (running && (_firstSwitch is null || member.Record.SwitchedAt < _firstSwitch))
        {
            _firstSwitch = member.Record.SwitchedAt;
        }
    }

    private async Task TakeAsync(TelemetryRecord window, FleetStores stores, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var aggregate = window.Aggregate;
        if (!_windowsSeen.Add(aggregate.MessageId))
        {
            return;
        }

        _windowsSeenOrder.Enqueue((window.ReceivedAt, aggregate.MessageId));
        var end = aggregate.WindowEnd?.ToDateTimeOffset() ?? window.ReceivedAt;
        var role = _shadow ? ModelRole.Shadow : ModelRole.Active;
        if (aggregate.ModelName == _model.Name && aggregate.ModelVersion == _model.Version && aggregate.Role == role)
        {
            // From its own joining on: windows before it belong to an earlier time on this version (e.g. before a rollback).
            if (_members.TryGetValue(window.DeviceId, out var member) && end > member.Record.AddedAt)
            {
                (member.Own ??= new TelemetrySummary()).Add(aggregate);
                member.Heard = member.Heard > window.ReceivedAt ? member.Heard : window.ReceivedAt;
                _wave.Add(aggregate);
                _changed.Add(window.DeviceId);
            }
        }
        else if (_baseline is not null && _previous is { } previous && aggregate.ModelName == previous.Name && aggregate.ModelVersion == previous.Version
            && aggregate.Role == ModelRole.Active && end > _firstSwitch && end <= now && await InCohortAsync(window.DeviceId, stores, cancellationToken))
        {
            _baseline.Add(aggregate);
        }
    }

    private async Task<bool> InCohortAsync(string deviceId, FleetStores stores, CancellationToken cancellationToken)
    {
        if (!_cohort.TryGetValue(deviceId, out var matches))
        {
            // Enrolled after the tally was read.
            matches = await stores.Devices.GetAsync(deviceId, cancellationToken) is { } device && _selector.Matches(device.Tags);
            _cohort[deviceId] = matches;
        }

        return matches;
    }

    private void Judge(RolloutMember member, DateTimeOffset now)
    {
        var id = member.Record.DeviceId;
        var standing = ProbationState.Passed;
        if (_judges && member.Running && member.Record.SwitchedAt is { } switchedAt)
        {
            standing = RolloutJudge.Standing(_gates, _shadow, switchedAt, member.Own ?? new TelemetrySummary(), member.Heard, _baseline, now);
            _standings[id] = standing;
            if (standing == ProbationState.OnProbation && _gates.ProbationSeconds > 0)
            {
                _due.Enqueue(id, switchedAt + TimeSpan.FromSeconds(_gates.ProbationSeconds));
            }

            if (_gates.SilenceTimeoutSeconds > 0 && standing != ProbationState.Silent)
            {
                // Silent once strictly more than the timeout has passed.
                var heard = member.Heard > switchedAt ? member.Heard.Value : switchedAt;
                _due.Enqueue(id, heard + TimeSpan.FromSeconds(_gates.SilenceTimeoutSeconds) + TimeSpan.FromTicks(1));
            }
        }
        else
        {
            _standings.Remove(id);
        }

        var report = member.Report;
        var status = RolloutProgress.StatusOf(_rollout, RolloutProgress.ReportedOn(_rollout, report.DesiredRevision, report.ReportedModel, report.ReportedRevision, report.ReportedState), standing);
        if (status != member.Status)
        {
            Move(member, -1);
            member.Status = status;
            Move(member, +1);
        }
    }

    private void Move(RolloutMember member, int by)
    {
        var key = (member.Record.Wave, member.Status);
        _counts[key] = _counts.GetValueOrDefault(key) + by;
        if (member.Status == MemberStatus.Pending)
        {
            if (by > 0)
            {
                _pending.Add(member.Record.DeviceId);
                SetOffline(member, !_presence.IsOnline(member.Record.DeviceId));
            }
            else
            {
                _pending.Remove(member.Record.DeviceId);
                SetOffline(member, false);
            }
        }
    }

    // Offline is counted for pending devices only: one that answered is done whether connected or not.
    private void SetOffline(RolloutMember member, bool offline)
    {
        var id = member.Record.DeviceId;
        if (offline ? _offline.Add(id) : _offline.Remove(id))
        {
            _offlineByWave[member.Record.Wave] = _offlineByWave.GetValueOrDefault(member.Record.Wave) + (offline ? 1 : -1);
        }
    }
}
