using System.Collections.Concurrent;
using System.Globalization;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Alerts;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Drift;

/// <summary>
/// Every <see cref="DriftOptions.Interval"/>, judges each camera's last window per model version against its reference
/// (<see cref="DriftJudge"/>) and raises or clears its drift alert. The reference is the camera's own baseline once its
/// first <see cref="DriftOptions.BaselineWindows"/> windows are in (until then it is not judged), or the manifest's
/// reference statistics when the baseline is switched off; either is counted on the manifest's bins. The drift alert of a
/// version the camera no longer runs is cleared.
/// </summary>
internal sealed partial class DriftMonitor(
    FleetStores stores, DriftReferences references, AlertService alerts, IOptions<DriftOptions> options, TimeProvider time, ILogger<DriftMonitor> logger)
    : PeriodicMonitor(time, logger)
{
    private readonly DriftOptions _options = options.Value;
    private readonly ConcurrentDictionary<DriftSubject, TelemetrySummary> _baselines = new();

    protected override TimeSpan Interval => _options.Interval;

    public override async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var recent = await stores.Telemetry.ListAsync(new TelemetryQuery { Since = now - _options.Window, Until = now, Limit = 100_000 }, cancellationToken);
        var samples = new List<DriftSample>();
        var windows = recent.Where(r => r.Aggregate.ModelName.Length > 0).GroupBy(r => new DriftSubject(r.DeviceId, r.Aggregate.ModelName, r.Aggregate.ModelVersion)).ToList();
        var running = RunningVersions.Of(windows.Select(w => (w.Key.DeviceId, w.Key.ModelName, w.Key.ModelVersion)));
        await alerts.ClearWhereAsync(a => a.Kind == AlertKinds.Drift && running.Superseded(a), cancellationToken);
        foreach (var window in windows)
        {
            var bins = await references.GetAsync(window.Key.ModelName, window.Key.ModelVersion, cancellationToken);
            if (bins.Count == 0)
            {
                continue;
            }

            IReadOnlyDictionary<string, double[]> reference;
            if (_options.BaselineWindows > 0)
            {
                if (await BaselineAsync(window.Key, bins, now, cancellationToken) is not { } baseline)
                {
                    continue;
                }

                reference = Fold(baseline, bins);
            }
            else
            {
                reference = bins.ToDictionary(b => b.Key, b => b.Value.Counts, StringComparer.Ordinal);
            }

            var current = TelemetrySummary.Of(window.Select(r => r.Aggregate));
            samples.Add(new DriftSample(window.Key, current.Frames, reference, Fold(current, bins)));
        }

        foreach (var verdict in DriftJudge.Judge(samples, _options))
        {
            var key = new AlertKey(AlertKinds.Drift, verdict.Subject.DeviceId, verdict.Subject.ModelName, verdict.Subject.ModelVersion);
            switch (verdict.Level)
            {
                case DriftLevel.Warning or DriftLevel.Alert:
                    await alerts.RaiseAsync(key, verdict.Level == DriftLevel.Alert ? AlertSeverity.Critical : AlertSeverity.Warning, verdict.Message, cancellationToken);
                    break;
                case DriftLevel.None:
                    await alerts.ClearAsync(key, cancellationToken);
                    break;
                default:
                    // Too few frames to say either way: the alert stays as it is.
                    break;
            }
        }
    }

    /// <summary>Each signal's counts on the reference bins; a signal the histogram lacks or whose layout does not fold is left out.</summary>
    public static Dictionary<string, double[]> Fold(TelemetrySummary summary, IReadOnlyDictionary<string, ReferenceBins> bins)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(bins);
        var folded = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var signal in DriftSignal.All)
        {
            if (bins.TryGetValue(signal.Name, out var reference) && signal.Histogram(summary) is { } histogram && reference.Fold(histogram) is { } counts)
            {
                folded[signal.Name] = counts;
            }
        }

        return folded;
    }

    // The camera's first windows on the version: formed once the telemetry reaches BaselineWindows windows past its
    // first aggregate with at least MinFrames frames, then stored, so a restart or another replica keeps the same one.
    private async Task<TelemetrySummary?> BaselineAsync(DriftSubject subject, IReadOnlyDictionary<string, ReferenceBins> bins, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_baselines.TryGetValue(subject, out var known))
        {
            return known;
        }

        if (await stores.DriftBaselines.GetAsync(subject.DeviceId, subject.ModelName, subject.ModelVersion, cancellationToken) is { } stored)
        {
            return _baselines[subject] = TelemetrySummary.Of([stored]);
        }

        var history = await stores.Telemetry.ListAsync(
            new TelemetryQuery { DeviceIds = [subject.DeviceId], ModelName = subject.ModelName, ModelVersion = subject.ModelVersion, Until = now, Limit = 100_000 },
            cancellationToken);
        if (history.Count == 0)
        {
            return null;
        }

        var formedAt = (history[0].Aggregate.WindowStart?.ToDateTimeOffset() ?? history[0].ReceivedAt) + (_options.Window * _options.BaselineWindows);
        var summary = new TelemetrySummary();
        foreach (var record in history)
        {
            summary.Add(record.Aggregate);
            if ((record.Aggregate.WindowEnd?.ToDateTimeOffset() ?? record.ReceivedAt) >= formedAt && summary.Frames >= _options.MinFrames)
            {
                var kept = await stores.DriftBaselines.AddAsync(subject.DeviceId, ToAggregate(subject, summary), now, cancellationToken);
                var baseline = _baselines[subject] = TelemetrySummary.Of([kept]);
                if (Logger.IsEnabled(LogLevel.Information))
                {
                    var distance = Distance(baseline, bins);
                    LogBaselineFormed(Logger, subject, baseline.Frames, distance);
                }

                return baseline;
            }
        }

        return null;
    }

    private static ModelAggregate ToAggregate(DriftSubject subject, TelemetrySummary summary)
    {
        var aggregate = new ModelAggregate { ModelName = subject.ModelName, ModelVersion = subject.ModelVersion, Frames = (ulong)summary.Frames };
        aggregate.Brightness = summary.Brightness?.ToMessage();
        aggregate.Contrast = summary.Contrast?.ToMessage();
        aggregate.Sharpness = summary.Sharpness?.ToMessage();
        aggregate.Confidence = summary.Confidence?.ToMessage();
        return aggregate;
    }

    // How far the camera's normal is from the training data, for the log: a baseline far off is worth a look at the camera.
    private static string Distance(TelemetrySummary baseline, IReadOnlyDictionary<string, ReferenceBins> bins) =>
        string.Join(", ", Fold(baseline, bins).Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key} PSI {PopulationStability.Index(bins[f.Key].Counts, f.Value):0.00}")));

    [LoggerMessage(Level = LogLevel.Information, Message = "Drift baseline of {Subject} formed from {Frames} frames; against the manifest's reference: {Distance}")]
    private static partial void LogBaselineFormed(ILogger logger, DriftSubject subject, long frames, string distance);
}
