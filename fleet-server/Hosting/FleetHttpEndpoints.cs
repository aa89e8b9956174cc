using System.Globalization;
using System.Text;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeMl.Fleet.Hosting;

/// <summary>The HTTP port: health (open), Prometheus metrics (admin or scrape token) and a read-only JSON view of the fleet (admin token).</summary>
internal static class FleetHttpEndpoints
{
    public static void MapFleetHttp(this WebApplication app)
    {
        // Open on purpose: load balancers probe it without credentials, and it tells nothing about the fleet.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteHealth });
        var api = app.MapGroup("/api").AddEndpointFilter(new BearerTokenFilter(c => [c.Admin]));
        app.MapGet("/metrics", async (FleetStores stores, DesiredStateHub hub, DownloadStats downloads, RolloutLeadership leadership, CancellationToken ct) =>
        {
            var text = new StringBuilder();
            Metric(text, "edgeml_devices_enrolled", "gauge", await stores.Devices.CountAsync(ct));
            Metric(text, "edgeml_devices_online", "gauge", hub.OnlineCount);
            Metric(text, "edgeml_rollouts_active", "gauge", (await stores.Rollouts.ListActiveAsync(ct)).Count);
            Metric(text, "edgeml_rollout_leader", "gauge", leadership.IsLeader ? 1 : 0);
            Metric(text, "edgeml_model_downloads_total", "counter", downloads.Downloads);
            Metric(text, "edgeml_model_download_resumes_total", "counter", downloads.Resumed);
            Metric(text, "edgeml_model_download_bytes_total", "counter", downloads.Bytes);
            return Results.Text(text.ToString(), "text/plain; version=0.0.4");
        }).AddEndpointFilter(new BearerTokenFilter(c => [c.Admin, c.Metrics]));
        api.MapGet("/devices", async (FleetStores stores, DesiredStateHub hub, CancellationToken ct) =>
            Results.Json((await stores.Devices.ListAsync(ct)).Select(d => new
            {
                id = d.Id,
                tags = d.Tags,
                online = hub.IsOnline(d.Id),
                activeModel = d.ActiveModel,
                state = d.ReportedState,
                reason = d.ReportedReason,
                executionProvider = d.ExecutionProvider,
                lastReport = d.LastReportAt,
            })));
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
    }

    // "ok", or one line per failing check (503), so a probe's log says what is down.
    private static Task WriteHealth(HttpContext context, HealthReport report) =>
        context.Response.WriteAsync(report.Status == HealthStatus.Healthy
            ? "ok"
            : string.Join('\n', report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}")) + "\n");

    private static void Metric(StringBuilder text, string name, string type, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"# TYPE {name} {type}\n{name} {value}\n");
}
