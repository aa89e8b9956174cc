using EdgeMl.Fleet.Drift;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EdgeMl.Fleet.Dashboard;

/// <summary>
/// The admins' dashboard at <c>/</c>, and the two API routes only it needs: telemetry bucketed for charts (drift included) and the
/// event stream that tells an open dashboard to read the API again. Admins only (session cookie or admin token).
/// </summary>
internal static class DashboardEndpoints
{
    // Enough points for a chart; a longer look-back takes a wider bucket.
    private const int MaxBuckets = 1000;
    private const int DefaultBuckets = 60;

    public static void MapDashboard(this WebApplication app)
    {
        app.MapGet("/", (HttpContext http) => Results.Content(DashboardPage.Render(AccountFilter.Caller(http)), "text/html; charset=utf-8"))
            .AddEndpointFilter(new AccountFilter(adminOnly: true, page: true));

        var api = app.MapGroup("/api").AddEndpointFilter(new AccountFilter(adminOnly: true, page: false));
        api.MapGet("/telemetry/series", async (FleetStores stores, DriftReferences references, TimeProvider time, string? bucket, DateTimeOffset? since, string? model, CancellationToken ct) =>
        {
            if (!TelemetrySeries.TryParseBucket(bucket ?? "1m", out var length))
            {
                return Results.Text("bucket must be a number and s, m or h (10s, 5m, 1h), at most 1 day\n", statusCode: StatusCodes.Status400BadRequest);
            }

            var now = time.GetUtcNow();
            var from = since ?? now - (length * DefaultBuckets);
            if ((now - from) / length > MaxBuckets)
            {
                return Results.Text($"at most {MaxBuckets} buckets: choose a later since or a wider bucket\n", statusCode: StatusCodes.Status400BadRequest);
            }

            // Windows that end in the first bucket are read whole: the bucket starts before since.
            var query = new TelemetryQuery { ModelName = model, Since = TelemetrySeries.BucketStart(from, length) - TimeSpan.FromTicks(1) };
            var records = await stores.Telemetry.ListAsync(query, ct);
            var bins = new Dictionary<(string Name, string Version), IReadOnlyDictionary<string, ReferenceBins>>();
            foreach (var version in records.Select(r => (r.Aggregate.ModelName, r.Aggregate.ModelVersion)).Distinct())
            {
                bins[version] = await references.GetAsync(version.ModelName, version.ModelVersion, ct);
            }

            return Results.Json(TelemetrySeries.Of(records, length, truncated: records.Count >= query.Limit, bins));
        });
        api.MapGet("/events", (FleetChanges changes, CancellationToken ct) => TypedResults.ServerSentEvents(changes.WatchAsync(ct)));
    }
}
