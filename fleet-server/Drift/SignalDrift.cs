namespace EdgeMl.Fleet.Drift;

/// <summary>How far one signal of a window is from its reference; <see cref="PValue"/> is the KS test's, which decides in small windows.</summary>
internal sealed record SignalDrift(string Signal, double Psi, double PValue, bool Discovered);
