using System.Globalization;
using System.Text.RegularExpressions;
using EdgeMl.Fleet.Drift;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Dashboard;

/// <summary>
/// A model version's behaviour over time, as <c>GET /api/telemetry/series</c> serves it to the dashboard's charts:
/// the stored aggregates of all devices, bucketed by the end of their window and merged with <see cref="TelemetrySummary"/>,
/// so a bucket's p95 latency is the percentile of all its frames, not an average of device percentiles. Drift is the
/// PSI of the bucket's merged input statistics and confidence against the version's manifest reference: the fleet's view
/// of a version, where the drift alerts judge each camera against its own baseline.
/// </summary>
internal sealed partial record TelemetrySeries(string Model, string Version, string Role, IReadOnlyList<TelemetryPoint> Points)
{
    public static readonly TimeSpan LongestBucket = TimeSpan.FromDays(1);

    // truncated: the store returned as many rows as asked for, so the oldest bucket may lack windows that were
    // cut off; it is left out rather than drawn too low.
    // references: the reference bins of each (model name, version), as DriftReferences reads them; a version missing
    // there has no drift values.
    public static IReadOnlyList<TelemetrySeries> Of(
        IReadOnlyList<TelemetryRecord> records, TimeSpan bucket, bool truncated, IReadOnlyDictionary<(string Name, string Version), IReadOnlyDictionary<string, ReferenceBins>> references)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(references);
        var bucketed = records.Select(r => (Record: r, Start: BucketStart(WindowEnd(r), bucket))).ToList();
        if (truncated && bucketed.Count > 0)
        {
            var partial = bucketed.Min(b => b.Start);
            bucketed.RemoveAll(b => b.Start == partial);
        }

        return bucketed
            .GroupBy(b => (b.Record.Aggregate.ModelName, b.Record.Aggregate.ModelVersion, Role: TelemetryStore.RoleName(b.Record.Aggregate.Role)))
            .OrderBy(g => g.Key.ModelName, StringComparer.Ordinal).ThenBy(g => g.Key.ModelVersion, StringComparer.Ordinal).ThenBy(g => g.Key.Role, StringComparer.Ordinal)
            .Select(g => new TelemetrySeries(g.Key.ModelName, g.Key.ModelVersion, g.Key.Role, g
                .GroupBy(b => b.Start)
                .OrderBy(p => p.Key)
                .Select(p => Point(p.Key, bucket, TelemetrySummary.Of(p.Select(b => b.Record.Aggregate)), references.GetValueOrDefault((g.Key.ModelName, g.Key.ModelVersion))))
                .ToList()))
            .ToList();
    }

    /// <summary>Reads a bucket length such as <c>10s</c>, <c>5m</c> or <c>1h</c> (one second to one day).</summary>
    public static bool TryParseBucket(string? text, out TimeSpan bucket)
    {
        bucket = default;
        var match = BucketText().Match(text ?? "");
        if (!match.Success || !int.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n == 0)
        {
            return false;
        }

        bucket = match.Groups["unit"].Value switch
        {
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            _ => TimeSpan.FromHours(n),
        };
        return bucket <= LongestBucket;
    }

    public static DateTimeOffset BucketStart(DateTimeOffset at, TimeSpan bucket) =>
        new(at.UtcTicks - (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % bucket.Ticks, TimeSpan.Zero);

    private static DateTimeOffset WindowEnd(TelemetryRecord record) => record.Aggregate.WindowEnd?.ToDateTimeOffset() ?? record.ReceivedAt;

    private static TelemetryPoint Point(DateTimeOffset start, TimeSpan bucket, TelemetrySummary summary, IReadOnlyDictionary<string, ReferenceBins>? reference)
    {
        var drift = reference is null
            ? new Dictionary<string, double>()
            : DriftMonitor.Fold(summary, reference)
                .Where(f => PopulationStability.Sum(f.Value) > 0)
                .ToDictionary(f => f.Key, f => PopulationStability.Index(reference[f.Key].Counts, f.Value), StringComparer.Ordinal);
        return new(
            start,
            summary.Frames,
            summary.Frames / bucket.TotalSeconds,
            Finite(summary.EscalationRate),
            Finite(summary.ErrorRate),
            Finite(summary.LatencyMs(0.95)),
            drift,
            drift.Count == 0 ? null : drift.Values.Max());
    }

    // JSON has no NaN; a rate of no frames is "no value", which the chart leaves as a gap.
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    [GeneratedRegex("^(?<n>[0-9]{1,5})(?<unit>[smh])$")]
    private static partial Regex BucketText();
}
