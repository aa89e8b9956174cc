namespace EdgeMl.Fleet.Tests.Rollouts;

/// <summary>How a model behaves on the simulated line: every frame's latency and the shares it escalates or fails.</summary>
internal sealed record ModelTraits(double LatencyMs, double EscalationRate, double ErrorRate = 0);
