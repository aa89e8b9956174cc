namespace EdgeMl.Fleet.Dashboard;

/// <summary>
/// One time bucket of one model version's series; a rate or percentile is null where no frame gave it one. Drift is each
/// signal's PSI against the version's manifest reference (empty without a reference), <see cref="DriftPsi"/> the largest.
/// </summary>
internal sealed record TelemetryPoint(
    DateTimeOffset Start,
    long Frames,
    double FramesPerSecond,
    double? EscalationRate,
    double? ErrorRate,
    double? P95LatencyMs,
    IReadOnlyDictionary<string, double> Drift,
    double? DriftPsi);
