using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeMl.Fleet.Dashboard;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Dashboard;

/// <summary>The two routes the dashboard adds to the JSON API, over real HTTP with the admin token.</summary>
public sealed class DashboardApiTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-dashapi-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;

    private FleetStores Stores => _fleet.Services.GetRequiredService<FleetStores>();

    public async Task InitializeAsync() =>
        _fleet = await TestFleet.StartAsync(_root, services => services.Configure<DashboardOptions>(o => o.ChangePollInterval = TimeSpan.FromMilliseconds(50)));

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Series_serves_the_stored_aggregates_per_version_and_bucket()
    {
        var minute = TelemetrySeries.BucketStart(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        await Stores.Telemetry.AddAsync(
            [
                TestTelemetry.Record("a", "v1", minute.AddMinutes(-2).AddSeconds(10), frames: 60, escalations: 6, latencyMs: 5),
                TestTelemetry.Record("b", "v1", minute.AddMinutes(-2).AddSeconds(40), frames: 60, escalations: 6, latencyMs: 5),
                TestTelemetry.Record("a", "v2", minute.AddMinutes(-1).AddSeconds(10), frames: 30, escalations: 0, latencyMs: 5),
            ],
            CancellationToken.None);

        using var response = await Client().GetAsync("/api/telemetry/series?bucket=1m");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var series = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(["v1", "v2"], series.Select(s => s.GetProperty("version").GetString()));
        var point = series[0].GetProperty("points").EnumerateArray().Single();
        Assert.Equal(120, point.GetProperty("frames").GetInt64());
        Assert.Equal(0.1, point.GetProperty("escalationRate").GetDouble(), 6);
        Assert.Equal(minute.AddMinutes(-2), point.GetProperty("start").GetDateTimeOffset());
    }

    [Fact]
    public async Task Series_refuses_a_bucket_it_cannot_read()
    {
        using var response = await Client().GetAsync("/api/telemetry/series?bucket=fortnight");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_event_stream_says_changed_once_new_telemetry_is_stored()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await Client().GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        using var events = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await ReadUntilAsync(events, "event: ready", deadline.Token);

        await Stores.Telemetry.AddAsync([TestTelemetry.Record("a", "v1", DateTimeOffset.UtcNow, frames: 10, escalations: 0, latencyMs: 5)], CancellationToken.None);

        await ReadUntilAsync(events, "event: changed", deadline.Token);
    }

    private static async Task ReadUntilAsync(StreamReader events, string line, CancellationToken cancellationToken)
    {
        while (await events.ReadLineAsync(cancellationToken) is { } read)
        {
            if (read == line)
            {
                return;
            }
        }

        Assert.Fail($"the stream ended before '{line}'");
    }

    private HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = new Uri(_fleet.HttpAddress) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _fleet.AdminToken);
        return client;
    }
}
