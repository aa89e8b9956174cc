using System.Globalization;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Alerts;

/// <summary>
/// Raises and clears the alerts of the fleet's state: a device offline (its MQTT status, the same on every replica, does
/// not say online, and no call, report or telemetry for <see cref="AlertOptions.OfflineAfter"/>), a device whose desired
/// state went stale, and per device and model version over the last window a p95 latency over the limit or an escalation
/// rate above the version's fleet-wide rate before it. A window with too few frames leaves its alerts as they are. The
/// alerts of a revoked device end, and so do a version's alerts of a device that now sends telemetry of other versions only.
/// </summary>
internal sealed class AlertMonitor(FleetStores stores, DevicePresence presence, AlertService alerts, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertMonitor> logger)
    : PeriodicMonitor(time, logger)
{
    private const string StaleState = "stale";

    private readonly AlertOptions _options = options.Value;

    protected override TimeSpan Interval => _options.Interval;

    public override async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var lookBack = _options.Window > _options.OfflineAfter ? _options.Window : _options.OfflineAfter;
        var recent = await stores.Telemetry.ListAsync(new TelemetryQuery { Since = now - lookBack, Until = now, Limit = 100_000 }, cancellationToken);
        var lastTelemetry = recent.GroupBy(r => r.DeviceId).ToDictionary(g => g.Key, g => g.Max(r => r.ReceivedAt), StringComparer.Ordinal);
        var devices = await stores.Devices.ListAsync(cancellationToken);
        var open = await alerts.OpenKeysAsync(cancellationToken);
        foreach (var device in devices)
        {
            var last = new[] { device.LastSeenAt, device.LastReportAt, lastTelemetry.TryGetValue(device.Id, out var t) ? t : null }.Max() ?? device.EnrolledAt;
            await alerts.SetAsync(
                new AlertKey(AlertKinds.Offline, device.Id),
                // An idle camera sends no telemetry and makes no call, yet its connection to the broker says it is there.
                !presence.IsOnline(device.Id) && now - last > _options.OfflineAfter,
                AlertSeverity.Warning,
                string.Create(CultureInfo.InvariantCulture, $"{device.Id} has not been heard from since {last:u} (offline after {_options.OfflineAfter})"),
                open,
                cancellationToken);
            await alerts.SetAsync(
                new AlertKey(AlertKinds.StaleDesiredState, device.Id),
                device.ReportedState == StaleState,
                AlertSeverity.Warning,
                $"{device.Id} reports a stale desired state: {device.ReportedReason ?? "its signed state expired"}",
                open,
                cancellationToken);
        }

        var windowStart = now - _options.Window;
        var baselines = new Dictionary<(string, string), TelemetrySummary>();
        var windows = recent.Where(r => r.Aggregate.Role == ModelRole.Active && r.Aggregate.ModelName.Length > 0 && End(r) > windowStart)
            .GroupBy(r => (r.DeviceId, r.Aggregate.ModelName, r.Aggregate.ModelVersion)).ToList();
        var enrolled = devices.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var running = RunningVersions.Of(windows.Select(w => w.Key));
        await alerts.ClearWhereAsync(
            a => (a.DeviceId is not null && !enrolled.Contains(a.DeviceId))
                || (a.Kind is AlertKinds.Latency or AlertKinds.Escalation && running.Superseded(a)),
            cancellationToken);
        foreach (var window in windows)
        {
            var (deviceId, name, version) = window.Key;
            var summary = TelemetrySummary.Of(window.Select(r => r.Aggregate));
            if (summary.Frames < _options.MinFrames)
            {
                continue;
            }

            var p95 = summary.LatencyMs(0.95);
            await alerts.SetAsync(
                new AlertKey(AlertKinds.Latency, deviceId, name, version),
                p95 > _options.MaxP95LatencyMs,
                AlertSeverity.Warning,
                string.Create(CultureInfo.InvariantCulture, $"{deviceId} ({name}:{version}): p95 latency {p95:0.#} ms over {summary.Frames} frames, limit {_options.MaxP95LatencyMs:0.#} ms"),
                open,
                cancellationToken);

            if (!baselines.TryGetValue((name, version), out var baseline))
            {
                var before = await stores.Telemetry.ListAsync(
                    new TelemetryQuery { ModelName = name, ModelVersion = version, Role = ModelRole.Active, Since = windowStart - _options.EscalationBaseline, Until = windowStart, Limit = 100_000 },
                    cancellationToken);
                baseline = baselines[(name, version)] = TelemetrySummary.Of(before.Select(r => r.Aggregate));
            }

            if (baseline.Frames >= _options.MinFrames)
            {
                await alerts.SetAsync(
                    new AlertKey(AlertKinds.Escalation, deviceId, name, version),
                    summary.EscalationRate - baseline.EscalationRate > _options.MaxEscalationIncrease,
                    AlertSeverity.Warning,
                    string.Create(CultureInfo.InvariantCulture, $"{deviceId} ({name}:{version}) escalates {summary.EscalationRate:P1} of {summary.Frames} frames; the version's baseline is {baseline.EscalationRate:P1}"),
                    open,
                    cancellationToken);
            }
        }
    }

    private static DateTimeOffset End(TelemetryRecord record) => record.Aggregate.WindowEnd?.ToDateTimeOffset() ?? record.ReceivedAt;
}
