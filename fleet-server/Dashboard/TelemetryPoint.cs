namespace EdgeMl.Fleet.Dashboard;

/// <summary>One time bucket of one model version's series; a rate or percentile is null where no frame gave it one.</summary>
internal sealed record TelemetryPoint(
    DateTimeOffset Start,
    long Frames,
    double FramesPerSecond,
    double? EscalationRate,
    double? ErrorRate,
    double? P95LatencyMs);
