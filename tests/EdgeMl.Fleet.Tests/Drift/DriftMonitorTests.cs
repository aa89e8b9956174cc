using EdgeMl.Fleet.Alerts;
using EdgeMl.Fleet.Bench;
using EdgeMl.Fleet.Drift;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Tests.Drift;

/// <summary>The monitor over a real database: telemetry stored as ingestion stores it, the v3 manifest in the registry, evaluation steps called directly.</summary>
public sealed class DriftMonitorTests : IAsyncLifetime
{
    private const int Frames = 3000;
    private TestDatabase _database = null!;
    private readonly ManualClock _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000));
    private readonly CancellationToken _timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;
    private FleetStores _stores = null!;
    private int _seed;

    public async Task InitializeAsync()
    {
        _database = await SqliteTestDatabase.CreateAsync();
        _stores = await FleetStores.OpenAsync(_database.Open(), _timeout);
        var manifest = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "models", "crack-detector", "v3", "manifest.json"), _timeout);
        await _stores.Models.AddAsync(
            "crack-detector", "v3", sequence => Task.FromResult(new ModelRecord("crack-detector", "v3", sequence, "m", "b", 1, _clock.GetUtcNow(), "admin", manifest)), _timeout);
    }

    public async Task DisposeAsync()
    {
        await _stores.Database.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Raises_drift_for_darkened_frames_and_not_for_unchanged_ones()
    {
        var options = new DriftOptions { BaselineWindows = 0 };
        var monitor = Monitor(options);

        await WindowAsync(options, Camera("cam-same", 0), Camera("cam-dark", -40));
        await monitor.EvaluateAsync(_timeout);

        var alert = Assert.Single(await _stores.Alerts.ListAsync(openOnly: true, _timeout));
        Assert.Equal((AlertKinds.Drift, "cam-dark", "crack-detector", "v3", AlertSeverity.Critical), (alert.Kind, alert.DeviceId, alert.ModelName, alert.ModelVersion, alert.Severity));
        Assert.Contains("brightness PSI", alert.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_camera_over_a_darker_belt_from_the_start_is_not_in_drift_but_one_that_darkens_later_is()
    {
        var options = new DriftOptions();
        var monitor = Monitor(options);
        var belt = Camera("cam-belt", -40);
        var line = Camera("cam-line", 0);

        for (var i = 0; i < options.BaselineWindows + 3; i++)
        {
            await WindowAsync(options, belt, line);
            await monitor.EvaluateAsync(_timeout);
        }

        Assert.Empty(await _stores.Alerts.ListAsync(openOnly: false, _timeout));
        Assert.NotNull(await _stores.DriftBaselines.GetAsync("cam-belt", "crack-detector", "v3", _timeout));

        line.BrightnessOffset = -40;
        await WindowAsync(options, belt, line);
        await monitor.EvaluateAsync(_timeout);

        Assert.Equal(["cam-line"], (await _stores.Alerts.ListAsync(openOnly: true, _timeout)).Select(a => a.DeviceId));
    }

    [Fact]
    public async Task Raises_a_drift_alert_once_and_clears_it_when_the_frames_return()
    {
        var options = new DriftOptions { BaselineWindows = 0 };
        var monitor = Monitor(options);
        var camera = Camera("cam-1", -40);

        await WindowAsync(options, camera);
        await monitor.EvaluateAsync(_timeout);
        await WindowAsync(options, camera);
        await monitor.EvaluateAsync(_timeout);
        var raised = Assert.Single(await _stores.Alerts.ListAsync(openOnly: true, _timeout));

        camera.BrightnessOffset = 0;
        await WindowAsync(options, camera);
        await monitor.EvaluateAsync(_timeout);

        var cleared = Assert.Single(await _stores.Alerts.ListAsync(openOnly: false, _timeout));
        Assert.Equal(raised.Id, cleared.Id);
        Assert.Equal(_clock.GetUtcNow(), cleared.ClearedAt);
        Assert.Empty(await _stores.Alerts.ListAsync(openOnly: true, _timeout));
    }

    [Fact]
    public async Task Clears_the_drift_alert_of_a_version_the_camera_no_longer_runs()
    {
        var options = new DriftOptions { BaselineWindows = 0 };
        var monitor = Monitor(options);
        var camera = Camera("cam-1", -40);
        await WindowAsync(options, camera);
        await monitor.EvaluateAsync(_timeout);
        Assert.Single(await _stores.Alerts.ListAsync(openOnly: true, _timeout));

        _clock.Advance(options.Window);
        var v4 = camera.Window(Frames, _clock.GetUtcNow(), options.Window);
        v4.ModelVersion = "v4";
        await _stores.Telemetry.AddAsync([new TelemetryRecord("cam-1", _clock.GetUtcNow(), v4)], _timeout);
        await monitor.EvaluateAsync(_timeout);

        Assert.Empty(await _stores.Alerts.ListAsync(openOnly: true, _timeout));
    }

    private SimulatedCamera Camera(string id, double offset) => new(id, ReferenceBinsTests.Manifest, ++_seed) { BrightnessOffset = offset };

    private DriftMonitor Monitor(DriftOptions options)
    {
        var delivery = new AlertDelivery([], Options.Create(new AlertOptions()), _clock, NullLogger<AlertDelivery>.Instance);
        var alerts = new AlertService(_stores, delivery, _clock, NullLogger<AlertService>.Instance);
        return new DriftMonitor(_stores, new DriftReferences(_stores), alerts, Options.Create(options), _clock, NullLogger<DriftMonitor>.Instance);
    }

    // One window of every camera, ending now after the clock moved on by a window.
    private async Task WindowAsync(DriftOptions options, params SimulatedCamera[] cameras)
    {
        _clock.Advance(options.Window);
        var now = _clock.GetUtcNow();
        await _stores.Telemetry.AddAsync([.. cameras.Select(c => new TelemetryRecord(c.DeviceId, now, c.Window(Frames, now, options.Window)))], _timeout);
    }
}
