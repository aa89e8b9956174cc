namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// One gate's reading: the wave's value, the baseline cohort's over the same window, the absolute limit, the limit the
/// relative one works out to from the baseline (both null when not set or not measurable), and the verdict with its reason.
/// </summary>
internal sealed record GateResult(string Gate, double? Value, double? Baseline, double? Limit, double? RelativeLimit, string Verdict, string Reason);
