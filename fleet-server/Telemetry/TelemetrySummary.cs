using EdgeMl.Contracts.Telemetry;

namespace EdgeMl.Fleet.Telemetry;

/// <summary>
/// Aggregates of any set of devices and windows merged into one: counts add, histograms merge bucket by
/// bucket, so a summary of summaries equals the summary of all their aggregates. Gates, the dashboard and
/// <c>telemetry list</c> all read model behaviour through this one type.
/// </summary>
internal sealed class TelemetrySummary
{
    private readonly Dictionary<string, Histogram> _histograms = new(StringComparer.Ordinal);

    public long Frames { get; private set; }

    public long Auto { get; private set; }

    public long Escalations { get; private set; }

    public long Errors { get; private set; }

    public long Audits { get; private set; }

    public long DroppedFrames { get; private set; }

    public long ShadowFrames { get; private set; }

    public long ShadowAgreed { get; private set; }

    public long Aggregates { get; private set; }

    public double ErrorRate => Frames == 0 ? double.NaN : (double)Errors / Frames;

    public double EscalationRate => Frames == 0 ? double.NaN : (double)Escalations / Frames;

    /// <summary>Share of shadow-scored frames whose top label matched the active model's; NaN without shadow frames.</summary>
    public double Agreement => ShadowFrames == 0 ? double.NaN : (double)ShadowAgreed / ShadowFrames;

    public Histogram? EndToEndLatencyUs => Get(nameof(ModelAggregate.EndToEndLatencyUs));

    public Histogram? InferenceLatencyUs => Get(nameof(ModelAggregate.InferenceLatencyUs));

    public Histogram? DecodeLatencyUs => Get(nameof(ModelAggregate.DecodeLatencyUs));

    public Histogram? Confidence => Get(nameof(ModelAggregate.Confidence));

    public Histogram? Brightness => Get(nameof(ModelAggregate.Brightness));

    public Histogram? Contrast => Get(nameof(ModelAggregate.Contrast));

    public Histogram? Sharpness => Get(nameof(ModelAggregate.Sharpness));

    /// <summary>End-to-end latency at <paramref name="fraction"/> in milliseconds (the bucket's upper bound); NaN without frames.</summary>
    public double LatencyMs(double fraction) => EndToEndLatencyUs is { Total: > 0 } latency ? latency.Percentile(fraction) / 1000 : double.NaN;

    public static TelemetrySummary Of(IEnumerable<ModelAggregate> aggregates)
    {
        ArgumentNullException.ThrowIfNull(aggregates);
        var summary = new TelemetrySummary();
        foreach (var aggregate in aggregates)
        {
            summary.Add(aggregate);
        }

        return summary;
    }

    public void Add(ModelAggregate aggregate)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        Aggregates++;
        Frames += (long)aggregate.Frames;
        DroppedFrames += (long)aggregate.DroppedFrames;
        if (aggregate.Decisions is { } decisions)
        {
            Auto += (long)decisions.Auto;
            Escalations += (long)decisions.Escalate;
            Errors += (long)decisions.Error;
            Audits += (long)decisions.Audit;
        }

        if (aggregate.Shadow is { } shadow)
        {
            ShadowFrames += (long)shadow.Frames;
            ShadowAgreed += (long)shadow.Agreed;
        }

        Merge(nameof(ModelAggregate.EndToEndLatencyUs), aggregate.EndToEndLatencyUs);
        Merge(nameof(ModelAggregate.InferenceLatencyUs), aggregate.InferenceLatencyUs);
        Merge(nameof(ModelAggregate.DecodeLatencyUs), aggregate.DecodeLatencyUs);
        Merge(nameof(ModelAggregate.Confidence), aggregate.Confidence);
        Merge(nameof(ModelAggregate.Brightness), aggregate.Brightness);
        Merge(nameof(ModelAggregate.Contrast), aggregate.Contrast);
        Merge(nameof(ModelAggregate.Sharpness), aggregate.Sharpness);
    }

    private Histogram? Get(string name) => _histograms.GetValueOrDefault(name);

    // A histogram in a layout other than the first one seen for its field is left out rather than mixed in:
    // counts of different buckets cannot be added (a device on an older agent may use another layout).
    private void Merge(string name, BucketCounts? counts)
    {
        if (counts is null || string.IsNullOrEmpty(counts.Layout) || counts.Counts.Count == 0)
        {
            return;
        }

        var histogram = Histogram.FromMessage(counts);
        if (_histograms.TryGetValue(name, out var merged))
        {
            if (merged.Layout.Id == histogram.Layout.Id)
            {
                merged.Merge(histogram);
            }
        }
        else
        {
            _histograms[name] = histogram;
        }
    }
}
