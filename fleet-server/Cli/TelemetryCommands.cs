using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>telemetry list</c>: the aggregates devices published, as stored.</summary>
internal static class TelemetryCommands
{
    public static Command Create()
    {
        var telemetry = new Command("telemetry", "Telemetry the devices published");
        var database = new LocalDatabase();
        var device = new Option<string?>("--device") { Description = "Only this device's aggregates" };
        var since = new Option<string?>("--since") { Description = $"Only windows that ended after this: {TelemetrySince.Expected}" };
        var limit = new Option<int>("--limit") { Description = "At most this many aggregates, the newest kept", DefaultValueFactory = _ => 1000 };
        var json = new Option<bool>("--json") { Description = "Print JSON, as GET /api/telemetry" };
        var list = database.With(new Command("list", "List stored aggregates oldest first: window, device, role, model, frames, escalations, errors, p95 latency") { device, since, limit, json });
        list.SetAction(async (result, cancellationToken) =>
        {
            if (!TelemetrySince.TryParse(result.GetValue(since), DateTimeOffset.UtcNow, out var from))
            {
                await Console.Error.WriteLineAsync($"error: --since '{result.GetValue(since)}': expected {TelemetrySince.Expected}");
                return 2;
            }

            if (result.GetValue(limit) < 1)
            {
                await Console.Error.WriteLineAsync("error: --limit must be at least 1");
                return 2;
            }

            var stores = await database.OpenAsync(result, cancellationToken);
            IReadOnlyList<TelemetryRecord> listed;
            await using (stores.Database)
            {
                var query = new TelemetryQuery { DeviceIds = result.GetValue(device) is { } id ? [id] : null, Since = from, Limit = result.GetValue(limit) };
                listed = await stores.Telemetry.ListAsync(query, cancellationToken);
            }

            var rows = listed.Select(TelemetryRow.Of).ToList();
            await Console.Out.WriteLineAsync(result.GetValue(json)
                ? JsonSerializer.Serialize(rows, JsonSerializerOptions.Web)
                : string.Join(Environment.NewLine, rows.Select(Line)));
            return 0;
        });
        telemetry.Subcommands.Add(list);
        return telemetry;
    }

    private static string Line(TelemetryRow r) => string.Create(
        CultureInfo.InvariantCulture,
        $"{r.WindowStart:u} .. {r.WindowEnd:HH:mm:ss}  {r.DeviceId}  {r.Role}  {(r.Model.Length == 0 ? "(no model)" : r.Model)}  {r.ExecutionProvider}  frames {r.Frames}  escalated {r.Escalations}  errors {r.Errors}  dropped {r.DroppedFrames}  p95 {(r.P95LatencyMs is { } p ? $"{p:0.0} ms" : "-")}  cpu {r.CpuPercent:0.0}%  rss {r.RssBytes / (1024 * 1024)} MB{(r.GpuMemoryBytes is { } gpu ? $"  gpu {gpu / (1024 * 1024)} MB" : "")}");
}
