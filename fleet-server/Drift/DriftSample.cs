namespace EdgeMl.Fleet.Drift;

/// <summary>
/// One camera's current window beside the reference it is judged against, both as counts per reference bin and
/// signal; a signal missing on either side is not judged.
/// </summary>
internal sealed record DriftSample(DriftSubject Subject, long Frames, IReadOnlyDictionary<string, double[]> Reference, IReadOnlyDictionary<string, double[]> Current);
