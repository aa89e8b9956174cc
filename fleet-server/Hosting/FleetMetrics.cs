using System.Diagnostics.Metrics;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Hosting;

/// <summary>
/// The server's instruments (meter <see cref="MeterName"/>), exported for Prometheus on <c>/metrics</c>. Figures the
/// server holds in memory are read when scraped; those that live in the database are read before each scrape
/// (<see cref="RefreshAsync"/>), because an instrument's callback cannot wait on I/O.
/// </summary>
internal sealed class FleetMetrics
{
    public const string MeterName = "EdgeMl.Fleet";

    private readonly FleetStores _stores;
    private readonly Counter<long> _logins;
    private long _enrolled;
    private long _activeRollouts;

    public FleetMetrics(IMeterFactory meters, FleetStores stores, DesiredStateHub hub, DevicePresence presence, DownloadStats downloads, RolloutLeadership leadership)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _stores = stores;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("edgeml.devices.enrolled", () => Interlocked.Read(ref _enrolled), description: "Devices enrolled");
        meter.CreateObservableGauge("edgeml.devices.online", presence.OnlineCount, description: "Devices whose retained MQTT status says online (the same on every replica)");
        meter.CreateObservableGauge("edgeml.devices.streams", () => hub.StreamCount, description: "Devices holding a desired-state stream to this replica");
        meter.CreateObservableGauge("edgeml.rollouts.active", () => Interlocked.Read(ref _activeRollouts), description: "Rollouts not yet finished");
        meter.CreateObservableGauge("edgeml.rollout.leader", () => leadership.IsLeader ? 1 : 0, description: "1 on the replica that drives rollouts, 0 on the others");
        meter.CreateObservableCounter("edgeml.model.downloads", () => downloads.Downloads, description: "Model downloads started");
        meter.CreateObservableCounter("edgeml.model.download.resumes", () => downloads.Resumed, description: "Model downloads resumed at an offset");
        meter.CreateObservableCounter("edgeml.model.download.bytes", () => downloads.Bytes, description: "Model bytes sent to devices");
        _logins = meter.CreateCounter<long>("edgeml.logins", description: "Login attempts on the HTTP port, by outcome (ok, wrong, throttled)");
    }

    public void Login(string outcome) => _logins.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _enrolled, await _stores.Devices.CountAsync(cancellationToken));
        Interlocked.Exchange(ref _activeRollouts, (await _stores.Rollouts.ListActiveAsync(cancellationToken)).Count);
    }
}
