using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Drift;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Bench;

/// <summary>
/// Simulated cameras through a change, judged window by window as <see cref="DriftMonitor"/> judges them (each camera's
/// baseline from its first windows, <see cref="DriftJudge"/> over all cameras at once, an alert raised on the first
/// drifted window and cleared on the first clean one). Some cameras look at a darker or brighter belt from the start;
/// half of the cameras change at <see cref="ChangeAt"/>, the others never do.
/// </summary>
internal sealed class DriftBenchmark(ModelManifest manifest, DriftOptions options, int cameras, int windows, int seed)
{
    public int ChangeAt => windows / 3;

    public DriftBenchResult Run(DriftScenario scenario, int framesPerWindow)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var bins = DriftSignal.All
            .Select(s => (s.Name, Bins: ReferenceBins.From(manifest.ReferenceStatistics?.GetValueOrDefault(s.Name))))
            .Where(b => b.Bins is not null)
            .ToDictionary(b => b.Name, b => b.Bins!, StringComparer.Ordinal);
        var random = new Random(seed);
        var fleet = Enumerable.Range(0, cameras).Select(i => new Camera(
            new SimulatedCamera($"cam-{i:D3}", manifest, random.Next()),
            Changes: i % 2 == 0,
            Belt: i % 3 == 0 ? (random.NextDouble() * 70) - 35 : 0)).ToList();
        var length = options.Window;
        var start = DateTimeOffset.UnixEpoch;
        var falseAlarms = 0;
        long unchangedWindows = 0;
        for (var w = 0; w < windows; w++)
        {
            var end = start + (length * (w + 1));
            var samples = new List<DriftSample>();
            foreach (var camera in fleet)
            {
                camera.Simulated.BrightnessOffset = camera.Belt + (camera.Changes && w >= ChangeAt ? scenario.Offset(w - ChangeAt) : 0);
                var aggregate = camera.Simulated.Window(framesPerWindow, end, length);
                if (w < options.BaselineWindows)
                {
                    camera.Baseline.Add(aggregate);
                    continue;
                }

                var summary = TelemetrySummary.Of([aggregate]);

                samples.Add(new DriftSample(
                    new DriftSubject(camera.Simulated.DeviceId, manifest.Name, manifest.Version),
                    summary.Frames,
                    options.BaselineWindows > 0 ? camera.BaselineCounts ??= DriftMonitor.Fold(camera.Baseline, bins) : bins.ToDictionary(b => b.Key, b => b.Value.Counts, StringComparer.Ordinal),
                    DriftMonitor.Fold(summary, bins)));
            }

            foreach (var (camera, verdict) in fleet.Zip(DriftJudge.Judge(samples, options)))
            {
                var before = !camera.Changes || w < ChangeAt;
                unchangedWindows += before ? 1 : 0;
                var drifted = verdict.Level is DriftLevel.Warning or DriftLevel.Alert;
                if (drifted && !camera.Open && before)
                {
                    falseAlarms++;
                }

                camera.Open = verdict.Level switch
                {
                    DriftLevel.Warning or DriftLevel.Alert => true,
                    DriftLevel.None => false,
                    _ => camera.Open,
                };
                if (!before)
                {
                    camera.WarnedAfter ??= drifted ? w - ChangeAt : null;
                    camera.AlertedAfter ??= verdict.Level == DriftLevel.Alert ? w - ChangeAt : null;
                }
            }
        }

        var changed = fleet.Where(c => c.Changes).ToList();
        return new DriftBenchResult(
            scenario.Name,
            framesPerWindow,
            framesPerWindow < options.SmallWindowFrames,
            Median(changed.Select(c => c.WarnedAfter)),
            changed.Max(c => c.WarnedAfter ?? windows),
            Median(changed.Select(c => c.AlertedAfter)),
            changed.Max(c => c.AlertedAfter ?? windows),
            changed.Count(c => c.WarnedAfter is null),
            falseAlarms,
            unchangedWindows);
    }

    // Undetected cameras count as detected never, i.e. beyond every detected one.
    private static double Median(IEnumerable<int?> delays)
    {
        var sorted = delays.Select(d => d ?? int.MaxValue).Order().ToArray();
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] / 2.0) + (sorted[middle] / 2.0);
        return median >= int.MaxValue / 2.0 ? double.PositiveInfinity : median;
    }

    private sealed record Camera(SimulatedCamera Simulated, bool Changes, double Belt)
    {
        public TelemetrySummary Baseline { get; } = new();

        public Dictionary<string, double[]>? BaselineCounts { get; set; }

        public bool Open { get; set; }

        public int? WarnedAfter { get; set; }

        public int? AlertedAfter { get; set; }
    }
}
