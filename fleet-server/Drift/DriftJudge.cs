namespace EdgeMl.Fleet.Drift;

/// <summary>
/// Judges one evaluation's windows of all cameras at once: a window of many frames by each signal's PSI against the
/// warning and alert levels; a small window by a KS test per signal, the p-values of all small windows together held to
/// the false-discovery rate (Benjamini-Hochberg), with the PSI of a discovered signal setting the level.
/// </summary>
internal static class DriftJudge
{
    public static IReadOnlyList<DriftVerdict> Judge(IReadOnlyList<DriftSample> samples, DriftOptions options)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        var measured = samples.Select(s => Measure(s, options)).ToList();
        var tests = measured.Where(m => m.Small).SelectMany(m => m.Signals).ToList();
        var discovered = BenjaminiHochberg.Discoveries([.. tests.Select(t => t.PValue)], options.FalseDiscoveryRate);
        var isDiscovery = tests.Zip(discovered).Where(p => p.Second).Select(p => p.First).ToHashSet(ReferenceEqualityComparer.Instance);
        var verdicts = new List<DriftVerdict>(samples.Count);
        foreach (var m in measured)
        {
            if (m.Signals.Count == 0)
            {
                verdicts.Add(new DriftVerdict(m.Sample.Subject, DriftLevel.Inconclusive, m.Sample.Frames, m.Small, []));
                continue;
            }

            var signals = m.Signals.Select(s => s with { Discovered = m.Small ? isDiscovery.Contains(s) : s.Psi >= options.WarningPsi }).ToList();
            var worst = signals.Where(s => s.Discovered).Select(s => s.Psi).DefaultIfEmpty(double.NaN).Max();
            var level = signals.Any(s => s.Discovered) ? worst >= options.AlertPsi ? DriftLevel.Alert : DriftLevel.Warning : DriftLevel.None;
            verdicts.Add(new DriftVerdict(m.Sample.Subject, level, m.Sample.Frames, m.Small, signals));
        }

        return verdicts;
    }

    private static Measured Measure(DriftSample sample, DriftOptions options)
    {
        var small = sample.Frames < options.SmallWindowFrames;
        if (sample.Frames < options.MinFrames)
        {
            return new Measured(sample, small, []);
        }

        var signals = new List<SignalDrift>();
        foreach (var signal in DriftSignal.All)
        {
            if (sample.Reference.TryGetValue(signal.Name, out var reference) && sample.Current.TryGetValue(signal.Name, out var current)
                && PopulationStability.Sum(reference) > 0 && PopulationStability.Sum(current) > 0)
            {
                var gap = KolmogorovSmirnov.Statistic(reference, current);
                var p = KolmogorovSmirnov.PValue(gap, PopulationStability.Sum(reference), PopulationStability.Sum(current));
                signals.Add(new SignalDrift(signal.Name, PopulationStability.Index(reference, current), p, Discovered: false));
            }
        }

        return new Measured(sample, small, signals);
    }

    private sealed record Measured(DriftSample Sample, bool Small, List<SignalDrift> Signals);
}
