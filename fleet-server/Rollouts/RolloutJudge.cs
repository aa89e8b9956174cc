using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Review;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// Reads what a rollout's devices report on the new model (from each device's switch on) and what the baseline cohort
/// reports on the previous version over the same window, and judges both: probation and silence per device, the model
/// gates over every device the rollout has taken. The audited error gate reads the inspectors' verdicts on both
/// versions' audited cases over that window instead of telemetry.
/// </summary>
internal sealed class RolloutJudge(FleetStores stores, TimeProvider time)
{
    // Enough windows for hours of a large wave; the store keeps the newest when there are more.
    private const int MaxWindows = 1_000_000;

    public async Task<RolloutReading> JudgeAsync(RolloutRecord rollout, IReadOnlyList<RolloutDeviceRecord> members, RolloutProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(progress);
        var gates = RolloutGates.FromJson(rollout.GatesJson);
        // Blue/green's first step only warms: nothing runs the new model before the switch.
        if (!gates.UsesTelemetry || (rollout.Mode == RolloutState.BlueGreen && rollout.CurrentWave == 0))
        {
            return RolloutReading.None;
        }

        var now = time.GetUtcNow();
        var running = members.Where(m => progress.Runs(rollout, m)).ToList();
        if (running.Count == 0)
        {
            var none = ModelGates.Judge(gates, rollout.Mode == RolloutState.Shadow, TelemetrySummary.Of([]), null);
            return RolloutReading.None with { Gates = await AuditedAsync(rollout, gates, running, [], cancellationToken) is { } waiting ? [.. none, waiting] : none };
        }

        var switched = running.Where(m => m.SwitchedAt is null).Select(m => m.DeviceId).ToList();
        var since = running.ToDictionary(m => m.DeviceId, m => m.SwitchedAt ?? now, StringComparer.Ordinal);
        var shadow = rollout.Mode == RolloutState.Shadow;
        var (name, version) = ModelRegistry.ParseId(rollout.Model);
        var windows = await stores.Telemetry.ListAsync(
            new TelemetryQuery
            {
                DeviceIds = since.Keys,
                ModelName = name,
                ModelVersion = version,
                Role = shadow ? ModelRole.Shadow : ModelRole.Active,
                Since = running.Min(m => m.AddedAt),
                Limit = MaxWindows,
            },
            cancellationToken);
        // From its own switch on: windows before it belong to an earlier time on this version (e.g. before a rollback).
        var joined = running.ToDictionary(m => m.DeviceId, m => m.AddedAt, StringComparer.Ordinal);
        var byDevice = windows
            .Where(w => joined.TryGetValue(w.DeviceId, out var at) && (w.Aggregate.WindowEnd?.ToDateTimeOffset() ?? w.ReceivedAt) > at)
            .GroupBy(w => w.DeviceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var wave = TelemetrySummary.Of(byDevice.Values.SelectMany(w => w).Select(w => w.Aggregate));
        var cohort = BaselineCohort(rollout, progress);
        var baseline = shadow ? null : await BaselineAsync(rollout, cohort, since.Values.Min(), now, cancellationToken);
        var standings = new Dictionary<string, ProbationState>(StringComparer.Ordinal);
        foreach (var (device, switchedAt) in since)
        {
            var own = byDevice.GetValueOrDefault(device) ?? [];
            standings[device] = Standing(gates, shadow, switchedAt, TelemetrySummary.Of(own.Select(w => w.Aggregate)), own.Count == 0 ? null : own.Max(w => w.ReceivedAt), baseline, now);
        }

        var judged = ModelGates.Judge(gates, shadow, wave, baseline);
        if (await AuditedAsync(rollout, gates, running, cohort, cancellationToken) is { } audited)
        {
            judged = [.. judged, audited];
        }

        return new RolloutReading(standings, shadow ? wave.ShadowFrames : wave.Frames, judged, switched);
    }

    /// <summary>
    /// The audited error gate, null when it is off: the overturned share of the new version's audited decisions on the
    /// <paramref name="running"/> devices since the first of them joined, beside the previous version's on the baseline
    /// <paramref name="cohort"/> over the same time. With none running it waits (inconclusive) and reads nothing.
    /// </summary>
    public async Task<GateResult?> AuditedAsync(
        RolloutRecord rollout, RolloutGates gates, IReadOnlyCollection<RolloutDeviceRecord> running, IReadOnlyCollection<string> cohort, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(gates);
        ArgumentNullException.ThrowIfNull(running);
        if (gates.MaxAuditedErrorRate is null || running.Count == 0)
        {
            return ModelGates.JudgeAudited(gates, null, null);
        }

        var from = running.Min(m => m.AddedAt);
        var audited = await AutomaticErrorAsync(rollout.Model, [.. running.Select(m => m.DeviceId)], from, cancellationToken);
        var auditedBaseline = rollout.PreviousModel is { } previous ? await AutomaticErrorAsync(previous, cohort, from, cancellationToken) : null;
        return ModelGates.JudgeAudited(gates, audited, auditedBaseline);
    }

    /// <summary>The share of <paramref name="model"/>'s audited decisions on these devices, captured since <paramref name="from"/>, that inspectors overturned; null before the first verdict.</summary>
    private async Task<WilsonInterval?> AutomaticErrorAsync(string model, IReadOnlyCollection<string> devices, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var (name, version) = ModelRegistry.ParseId(model);
        var tallies = await stores.Cases.TallyAsync(new CaseTallyQuery(name, version, devices, from), cancellationToken);
        return ModelAccuracy.From(tallies).SingleOrDefault()?.AutomaticErrorRate;
    }

    /// <summary>The selector's devices: those still on the previous version are the baseline cohort.</summary>
    private static List<string> BaselineCohort(RolloutRecord rollout, RolloutProgress progress)
    {
        var selector = TagSelector.Parse(rollout.Selector);
        return progress.Devices.Values.Where(d => selector.Matches(d.Tags)).Select(d => d.Id).ToList();
    }

    /// <summary>
    /// One running device's standing from its own windows since its switch (<paramref name="summary"/>, the last received
    /// at <paramref name="heard"/>; null: none yet).
    /// </summary>
    public static ProbationState Standing(
        RolloutGates gates, bool shadow, DateTimeOffset switchedAt, TelemetrySummary summary, DateTimeOffset? heard, TelemetrySummary? baseline, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(gates);
        // Silence counts from the last report the server received, so a late but delivered outbox is not silence.
        if (gates.SilenceTimeoutSeconds > 0 && now - (heard > switchedAt ? heard.Value : switchedAt) > TimeSpan.FromSeconds(gates.SilenceTimeoutSeconds))
        {
            return ProbationState.Silent;
        }

        if (ModelGates.Judge(gates, shadow, summary, baseline).Any(g => g.Verdict == GateVerdict.Fail))
        {
            return ProbationState.Unhealthy;
        }

        var frames = shadow ? summary.ShadowFrames : summary.Frames;
        var byFrames = gates.ProbationFrames > 0 && frames >= gates.ProbationFrames;
        var byTime = gates.ProbationSeconds > 0 && now - switchedAt >= TimeSpan.FromSeconds(gates.ProbationSeconds);
        var none = gates.ProbationFrames == 0 && gates.ProbationSeconds == 0;
        return none || byFrames || byTime ? ProbationState.Passed : ProbationState.OnProbation;
    }

    /// <summary>The selector's devices on the previous version, from the first switch until now; null without a previous version.</summary>
    private async Task<TelemetrySummary?> BaselineAsync(RolloutRecord rollout, List<string> cohort, DateTimeOffset from, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (rollout.PreviousModel is null)
        {
            return null;
        }

        var (name, version) = ModelRegistry.ParseId(rollout.PreviousModel);
        var windows = await stores.Telemetry.ListAsync(
            new TelemetryQuery
            {
                DeviceIds = cohort,
                ModelName = name,
                ModelVersion = version,
                Role = ModelRole.Active,
                Since = from,
                Until = now,
                Limit = MaxWindows,
            },
            cancellationToken);
        return TelemetrySummary.Of(windows.Select(w => w.Aggregate));
    }
}
