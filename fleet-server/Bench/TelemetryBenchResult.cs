namespace EdgeMl.Fleet.Bench;

/// <summary>
/// What <c>bench-telemetry</c> measured in one run: the broker alone (devices publish, a subscriber acknowledges on arrival,
/// nothing is stored), the store alone (the same aggregates parsed and written, no broker), and both together as ingestion
/// runs them; the first two bound the third.
/// </summary>
internal sealed record TelemetryBenchResult(TelemetryBenchPhase BrokerAlone, TelemetryBenchPhase StoreAlone, TelemetryBenchPhase Stored);
