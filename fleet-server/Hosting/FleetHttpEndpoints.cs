using EdgeMl.Fleet.Alerts;
using EdgeMl.Fleet.Cli;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeMl.Fleet.Hosting;

/// <summary>The HTTP port: health (open), Prometheus metrics (admin or scrape token, see <see cref="FleetMetrics"/>) and a read-only JSON view of the fleet (admin token or admin session).</summary>
internal static class FleetHttpEndpoints
{
    public static void MapFleetHttp(this WebApplication app)
    {
        // Open on purpose: load balancers probe it without credentials, and it tells nothing about the fleet.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteHealth });
        var api = app.MapGroup("/api").AddEndpointFilter(new AccountFilter(adminOnly: true, page: false));
        // The exporter's own branch: the guard checks the token and refreshes the database figures before it writes.
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, branch => branch.Use(ScrapeGuard.InvokeAsync), optionsName: null);
        api.MapGet("/devices", async (FleetStores stores, DesiredStateHub hub, DevicePresence presence, CancellationToken ct) =>
            Results.Json((await stores.Devices.ListAsync(ct)).Select(d => new
            {
                id = d.Id,
                tags = d.Tags,
                // From the device's retained MQTT status and last will: the same on every replica.
                online = presence.IsOnline(d.Id),
                // Where its desired-state stream is, a detail: only the replica that holds it says true.
                streamHere = hub.IsOnline(d.Id),
                activeModel = d.ActiveModel,
                state = d.ReportedState,
                reason = d.ReportedReason,
                executionProvider = d.ExecutionProvider,
                // The build that last enrolled or reported: which agents a package with new manifest fields would need updated.
                agentVersion = d.AgentVersion,
                lastReport = d.LastReportAt,
            })));
        api.MapGet("/telemetry", async (FleetStores stores, TimeProvider time, string? device, string? since, CancellationToken ct) =>
            TelemetrySince.TryParse(since, time.GetUtcNow(), out var from)
                ? Results.Json((await stores.Telemetry.ListAsync(new TelemetryQuery { DeviceIds = device is null ? null : [device], Since = from }, ct)).Select(TelemetryRow.Of))
                : Results.BadRequest($"since: expected {TelemetrySince.Expected}"));
        api.MapGet("/rollouts", async (FleetStores stores, CancellationToken ct) =>
            Results.Json((await stores.Rollouts.ListAsync(ct)).Select(r => new
            {
                id = r.Id,
                model = r.Model,
                previousModel = r.PreviousModel,
                mode = r.Mode,
                state = r.State,
                currentWave = r.CurrentWave,
                waves = r.Waves,
                reason = r.Reason,
                createdAt = r.CreatedAt,
            })));
        api.MapGet("/alerts", async (FleetStores stores, bool? open, CancellationToken ct) =>
            Results.Text(AlertJson.Serialize(await stores.Alerts.ListAsync(open == true, ct)), "application/json"));
        // What `rollout status --json` prints: waves with their counts and each gate's value, baseline, limit and verdict.
        api.MapGet("/rollouts/{id}", async (string id, RolloutStatusReader statuses, CancellationToken ct) =>
            await statuses.GetAsync(id, ct) is { } status
                ? Results.Text(ProtoJson.Format(status), "application/json")
                : Results.NotFound($"rollout {id} does not exist"));
    }

    // "ok", or one line per failing check (503), so a probe's log says what is down.
    private static Task WriteHealth(HttpContext context, HealthReport report) =>
        context.Response.WriteAsync(report.Status == HealthStatus.Healthy
            ? "ok"
            : string.Join('\n', report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}")) + "\n");

}
