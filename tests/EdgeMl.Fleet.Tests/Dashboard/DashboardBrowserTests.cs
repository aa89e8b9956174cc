using System.Text.Json;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Bench;
using EdgeMl.Fleet.Dashboard;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace EdgeMl.Fleet.Tests.Dashboard;

/// <summary>The dashboard in Debian's headless Chromium, driven by Playwright as an admin uses it.</summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private const string Password = "correct horse battery";
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-dashboard-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly DateTimeOffset _now = TelemetrySeries.BucketStart(DateTimeOffset.UtcNow, Minute);
    private TestFleet _fleet = null!;
    private string _device = "";

    private FleetStores Stores => _fleet.Services.GetRequiredService<FleetStores>();

    public async Task InitializeAsync()
    {
        _fleet = await TestFleet.StartAsync(_root, services => services.Configure<DashboardOptions>(o => o.ChangePollInterval = TimeSpan.FromMilliseconds(200)));
        await Stores.Inspectors.AddAsync(new Account("root", Account.Admin), AccountPasswords.Hash(Password), DateTimeOffset.UtcNow, CancellationToken.None);
        using var channel = GrpcChannel.ForAddress(_fleet.GrpcAddress);
        (_, _, _device) = await TestCases.EnrolAsync(_fleet, channel, ("site", "a"), ("line", "1"));
        await Stores.Rollouts.AddAsync(
            new RolloutRecord("r-1", "crack-detector:v2", "crack-detector:v1", "site=a", "canary", "1,50%,100%", 600, "{}", "paused", 1, _now, "paused by root", _now, "root", _now),
            CancellationToken.None);

        // Both versions in the registry: their manifests hold the reference statistics drift is measured against.
        var manifests = new Dictionary<string, ModelManifest>(StringComparer.Ordinal);
        foreach (var version in new[] { "v1", "v2" })
        {
            var json = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Package(version), "manifest.json"));
            manifests[version] = JsonSerializer.Deserialize(json, ManifestJson.Default.ModelManifest)!;
            await Stores.Models.AddAsync("crack-detector", version, sequence => Task.FromResult(new ModelRecord("crack-detector", version, sequence, "m", "b", 1, _now, "root", json)), CancellationToken.None);
        }

        // Twenty minutes of v1 on two devices, v2 on one of them for the last five: slower, more unsure, and its belt darker.
        var cameras = new Dictionary<string, SimulatedCamera>(StringComparer.Ordinal);
        var records = new List<TelemetryRecord>();
        for (var m = 20; m >= 1; m--)
        {
            var end = _now - (m * Minute) + TimeSpan.FromSeconds(30);
            records.Add(WithInputs(TestTelemetry.Record(_device, "v1", end, frames: (ulong)(500 + (m * 7 % 40)), escalations: 20, latencyMs: 12), Camera(_device, "v1")));
            var line2 = Camera("line-2-cam", m > 5 ? "v1" : "v2");
            line2.BrightnessOffset = m > 5 ? 0 : -40;
            records.Add(WithInputs(TestTelemetry.Record("line-2-cam", m > 5 ? "v1" : "v2", end, frames: 480, escalations: m > 5 ? 22UL : 45UL, latencyMs: m > 5 ? 12 : 30), line2));
        }

        await Stores.Telemetry.AddAsync(records, CancellationToken.None);

        SimulatedCamera Camera(string device, string version)
        {
            var key = device + ":" + version;
            return cameras.TryGetValue(key, out var camera) ? camera : cameras[key] = new SimulatedCamera(device, manifests[version], cameras.Count + 1);
        }
    }

    // The record's input statistics and confidence drawn by the camera from its manifest's reference (offset by its belt).
    private static TelemetryRecord WithInputs(TelemetryRecord record, SimulatedCamera camera)
    {
        var drawn = camera.Window((int)record.Aggregate.Frames, record.ReceivedAt, Minute);
        (record.Aggregate.Brightness, record.Aggregate.Contrast, record.Aggregate.Sharpness, record.Aggregate.Confidence) =
            (drawn.Brightness, drawn.Contrast, drawn.Sharpness, drawn.Confidence);
        return record;
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task An_admin_logs_in_sees_devices_rollout_and_charts_and_a_new_aggregate_arrives_live()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 1000 } });

        await page.GotoAsync(_fleet.HttpAddress + "/");
        await page.FillAsync("input[name=name]", "root");
        await page.FillAsync("input[name=password]", Password);
        await page.ClickAsync("button[type=submit]");

        await Assertions.Expect(page.Locator($"[data-device=\"{_device}\"]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"[data-device=\"{_device}\"] .agent")).ToHaveTextAsync(TestCases.AgentVersion);
        await Assertions.Expect(page.Locator("[data-rollout=\"r-1\"] .state")).ToHaveTextAsync("paused");
        var v2 = page.Locator("#chart-throughput polyline[data-series=\"crack-detector v2 active\"]");
        await Assertions.Expect(v2).ToHaveAttributeAsync("data-points", "5");
        await Assertions.Expect(page.Locator("#chart-latency polyline[data-series=\"crack-detector v1 active\"]")).ToHaveAttributeAsync("data-points", "20");
        await Assertions.Expect(page.Locator("#chart-drift polyline[data-series=\"crack-detector v1 active\"]")).ToHaveAttributeAsync("data-points", "20");
        var drift = page.Locator("#chart-drift polyline[data-series=\"crack-detector v2 active\"]");
        await Assertions.Expect(drift).ToHaveAttributeAsync("data-points", "5");
        // The darker belt under v2 shows as brightness drift above the alert level; each point names its signals.
        await Assertions.Expect(page.Locator("#chart-drift circle title").Last).ToContainTextAsync("brightness");
        var topLabel = await page.Locator("#chart-drift text").First.TextContentAsync();
        Assert.True(double.Parse(topLabel!, System.Globalization.CultureInfo.InvariantCulture) >= 0.25, $"the drift chart's scale tops at {topLabel}");
        await Assertions.Expect(page.Locator("#no-alerts")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "open");
        if (Environment.GetEnvironmentVariable("EDGEML_WRITE_DOCS") == "1")
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Root, "docs", "dashboard.png"), FullPage = true });
        }

        // Stored after the page was drawn: only the event stream can bring it onto the page.
        await Stores.Telemetry.AddAsync([TestTelemetry.Record("line-2-cam", "v2", _now + TimeSpan.FromSeconds(1), frames: 480, escalations: 40, latencyMs: 30)], CancellationToken.None);

        await Assertions.Expect(v2).ToHaveAttributeAsync("data-points", "6");
    }
}
