using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// Reads what a rollout's devices report on the new model (from each device's switch on) and what the baseline cohort
/// reports on the previous version over the same window, and judges both: probation and silence per device, the model
/// gates over every device the rollout has taken.
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
            return RolloutReading.None with { Gates = ModelGates.Judge(gates, rollout.Mode == RolloutState.Shadow, TelemetrySummary.Of([]), null) };
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
        var baseline = shadow ? null : await BaselineAsync(rollout, progress, since.Values.Min(), now, cancellationToken);
        var standings = new Dictionary<string, ProbationState>(StringComparer.Ordinal);
        foreach (var (device, switchedAt) in since)
        {
            var own = byDevice.GetValueOrDefault(device) ?? [];
            standings[device] = Standing(gates, shadow, switchedAt, TelemetrySummary.Of(own.Select(w => w.Aggregate)), own.Count == 0 ? null : own.Max(w => w.ReceivedAt), baseline, now);
        }

        return new RolloutReading(standings, shadow ? wave.ShadowFrames : wave.Frames, ModelGates.Judge(gates, shadow, wave, baseline), switched);
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
    private async Task<TelemetrySummary?> BaselineAsync(RolloutRecord rollout, RolloutProgress progress, DateTimeOffset from, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (rollout.PreviousModel is null)
        {
            return null;
        }

        var selector = TagSelector.Parse(rollout.Selector);
        var (name, version) = ModelRegistry.ParseId(rollout.PreviousModel);
        var windows = await stores.Telemetry.ListAsync(
            new TelemetryQuery
            {
                DeviceIds = progress.Devices.Values.Where(d => selector.Matches(d.Tags)).Select(d => d.Id).ToList(),
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
