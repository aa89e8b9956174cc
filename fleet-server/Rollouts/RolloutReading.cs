namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// What the telemetry of a rollout's devices says at one moment: each running device's probation standing, the frames
/// the gates judged, the gates' readings, and the devices first seen running the new model (their switch time to store).
/// </summary>
internal sealed record RolloutReading(
    IReadOnlyDictionary<string, ProbationState> Devices,
    long Samples,
    IReadOnlyList<GateResult> Gates,
    IReadOnlyList<string> Switched)
{
    public static RolloutReading None { get; } = new(new Dictionary<string, ProbationState>(), 0, [], []);

    public GateResult? Failed => Gates.FirstOrDefault(g => g.Verdict == GateVerdict.Fail);

    public GateResult? Inconclusive => Gates.FirstOrDefault(g => g.Verdict == GateVerdict.Inconclusive);

    public GateResult? LineWide => Gates.FirstOrDefault(g => g.Verdict == GateVerdict.LineWide);
}
