using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Alerts;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using EdgeMl.Fleet.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Tests.Alerts;

/// <summary>The fleet-state alerts over a real database, evaluation steps called directly on a clock the test moves.</summary>
public sealed class AlertMonitorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);
    private TestDatabase _database = null!;
    private readonly ManualClock _clock = new(T0);
    private readonly AlertOptions _options = new();
    private readonly DevicePresence _presence = new();
    private readonly CancellationToken _timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;
    private FleetStores _stores = null!;
    private int _messages;

    public async Task InitializeAsync()
    {
        _database = await SqliteTestDatabase.CreateAsync();
        _stores = await FleetStores.OpenAsync(_database.Open(), _timeout);
    }

    public async Task DisposeAsync()
    {
        await _stores.Database.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Raises_offline_once_for_a_silent_device_and_clears_it_when_the_device_is_heard_again()
    {
        await _stores.Devices.AddAsync(Device("cam-1") with { LastSeenAt = T0 }, _timeout);

        await EvaluateAsync();
        Assert.Empty(await _stores.Alerts.ListAsync(openOnly: false, _timeout));

        _clock.Advance(_options.OfflineAfter + TimeSpan.FromSeconds(1));
        await EvaluateAsync();
        await EvaluateAsync();
        var offline = Assert.Single(await _stores.Alerts.ListAsync(openOnly: true, _timeout));
        Assert.Equal((AlertKinds.Offline, "cam-1"), (offline.Kind, offline.DeviceId));

        await _stores.Telemetry.AddAsync([Record("cam-1", frames: 10, escalations: 0, latencyUs: 1000)], _timeout);
        await EvaluateAsync();
        Assert.Empty(await _stores.Alerts.ListAsync(openOnly: true, _timeout));
        Assert.Single(await _stores.Alerts.ListAsync(openOnly: false, _timeout));
    }

    [Fact]
    public async Task Raises_offline_for_a_silent_device_only_once_its_status_no_longer_says_online()
    {
        await _stores.Devices.AddAsync(Device("cam-idle") with { LastSeenAt = T0 }, _timeout);
        _presence.Update("cam-idle", new DevicePresence.Presence(Online: true, T0, "1.0"));

        // Connected to the broker but idle (a stopped line): no frames, no telemetry, no call.
        _clock.Advance(_options.OfflineAfter + TimeSpan.FromSeconds(1));
        await EvaluateAsync();
        Assert.Empty(await _stores.Alerts.ListAsync(openOnly: false, _timeout));

        _presence.Update("cam-idle", new DevicePresence.Presence(Online: false, T0, "1.0"));
        await EvaluateAsync();
        var offline = Assert.Single(await _stores.Alerts.ListAsync(openOnly: true, _timeout));
        Assert.Equal((AlertKinds.Offline, "cam-idle"), (offline.Kind, offline.DeviceId));
    }

    [Fact]
    public async Task Raises_stale_desired_state_while_the_device_reports_it_stale()
    {
        await _stores.Devices.AddAsync(Device("cam-1") with { LastSeenAt = T0, ActiveModel = "crack-detector:v3" }, _timeout);
        await _stores.Devices.RecordReportAsync(new DeviceReport("cam-1", 4, "crack-detector:v3", "stale", "revision 4 expired", "cpu", "1.0", T0), _timeout);

        await EvaluateAsync();
        var stale = Assert.Single(await _stores.Alerts.ListAsync(openOnly: true, _timeout));
        Assert.Equal(AlertKinds.StaleDesiredState, stale.Kind);
        Assert.Contains("revision 4 expired", stale.Message, StringComparison.Ordinal);

        await _stores.Devices.RecordReportAsync(new DeviceReport("cam-1", 5, "crack-detector:v3", "active", null, "cpu", "1.0", T0), _timeout);
        await EvaluateAsync();
        Assert.Empty(await _stores.Alerts.ListAsync(openOnly: true, _timeout));
    }

    [Fact]
    public async Task Raises_latency_over_the_limit_and_escalation_above_the_version_baseline_for_that_device_only()
    {
        // A day of the version on two cameras at 5 % escalation, then a window where cam-slow escalates 30 % at 400 ms.
        await _stores.Telemetry.AddAsync([Record("cam-ok", 1000, 50, 20_000), Record("cam-slow", 1000, 50, 20_000)], _timeout);
        _clock.Advance(_options.Window + TimeSpan.FromMinutes(1));
        await _stores.Telemetry.AddAsync([Record("cam-ok", 1000, 50, 20_000), Record("cam-slow", 1000, 300, 400_000)], _timeout);

        await EvaluateAsync();

        var open = await _stores.Alerts.ListAsync(openOnly: true, _timeout);
        Assert.Equal([(AlertKinds.Escalation, "cam-slow"), (AlertKinds.Latency, "cam-slow")], open.Select(a => (a.Kind, a.DeviceId)).Order());
        Assert.Contains("escalates 30.0 % of 1000 frames; the version's baseline is 5.0 %", open.Single(a => a.Kind == AlertKinds.Escalation).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clears_the_alerts_of_a_revoked_device_and_those_of_a_version_the_device_no_longer_runs()
    {
        await _stores.Devices.AddAsync(Device("cam-1") with { LastSeenAt = T0 }, _timeout);
        await Alerts().RaiseAsync(new AlertKey(AlertKinds.Latency, "cam-1", "crack-detector", "v3"), AlertSeverity.Warning, "slow", _timeout);
        await Alerts().RaiseAsync(new AlertKey(AlertKinds.Escalation, "cam-1", "crack-detector", "v3"), AlertSeverity.Warning, "unsure", _timeout);
        await Alerts().RaiseAsync(new AlertKey(AlertKinds.OutboxNearFull, "cam-revoked"), AlertSeverity.Warning, "full", _timeout);

        await EvaluateAsync();
        Assert.Equal(2, (await _stores.Alerts.ListAsync(openOnly: true, _timeout)).Count);

        var v4 = Record("cam-1", frames: 10, escalations: 0, latencyUs: 1000);
        v4.Aggregate.ModelVersion = "v4";
        await _stores.Telemetry.AddAsync([v4], _timeout);
        await EvaluateAsync();

        Assert.Empty(await _stores.Alerts.ListAsync(openOnly: true, _timeout));
    }

    [Fact]
    public async Task Writes_nothing_for_conditions_that_have_no_open_alert()
    {
        for (var i = 0; i < 3; i++)
        {
            await _stores.Devices.AddAsync(Device($"cam-{i}") with { LastSeenAt = T0 }, _timeout);
        }

        // Another writer holds SQLite's one write lock throughout: a step that took it (to clear an alert that is not
        // open) would wait for it and fail at the busy timeout; reading what is open does not.
        await using var writer = await _stores.Database.OpenAsync(_timeout);
        await writer.CreateCommand("BEGIN IMMEDIATE").ExecuteAsync(_timeout);
        await EvaluateAsync();
        await writer.CreateCommand("ROLLBACK").ExecuteAsync(_timeout);

        Assert.Empty(await _stores.Alerts.ListAsync(openOnly: false, _timeout));
    }

    private AlertService Alerts() =>
        new(_stores, new AlertDelivery([], Options.Create(_options), _clock, NullLogger<AlertDelivery>.Instance), _clock, NullLogger<AlertService>.Instance);

    // A monitor of its own per evaluation: it keeps nothing between them, all state is in the database.
    private async Task EvaluateAsync()
    {
        using var monitor = new AlertMonitor(_stores, _presence, Alerts(), Options.Create(_options), _clock, NullLogger<AlertMonitor>.Instance);
        await monitor.EvaluateAsync(_timeout);
    }

    private static DeviceRecord Device(string id) =>
        new(id, "secret-hash", new Dictionary<string, string>(), T0, $"{id}.local", "1.0", null, null, null, null, null, 0, null, null);

    // One aggregate of the active model ending now.
    private TelemetryRecord Record(string device, int frames, int escalations, double latencyUs)
    {
        var now = _clock.GetUtcNow();
        var latency = new Histogram(BucketLayout.LatencyMicroseconds);
        for (var i = 0; i < frames; i++)
        {
            latency.Record(latencyUs);
        }

        return new TelemetryRecord(device, now, new ModelAggregate
        {
            MessageId = $"m-{++_messages}",
            WindowStart = Timestamp.FromDateTimeOffset(now.AddSeconds(-10)),
            WindowEnd = Timestamp.FromDateTimeOffset(now),
            Role = ModelRole.Active,
            ModelName = "crack-detector",
            ModelVersion = "v3",
            Frames = (ulong)frames,
            Decisions = new DecisionCounts { Auto = (ulong)(frames - escalations), Escalate = (ulong)escalations },
            EndToEndLatencyUs = latency.ToMessage(),
        });
    }
}
