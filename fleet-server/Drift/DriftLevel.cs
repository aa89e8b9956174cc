namespace EdgeMl.Fleet.Drift;

/// <summary>A window's verdict: too few frames to say, no drift, drift past the warning level, drift past the alert level.</summary>
internal enum DriftLevel
{
    Inconclusive,
    None,
    Warning,
    Alert,
}
