namespace EdgeMl.Fleet.Drift;

/// <summary>What drift is judged for: one camera (device) running one model version.</summary>
internal sealed record DriftSubject(string DeviceId, string ModelName, string ModelVersion)
{
    public override string ToString() => $"{DeviceId} {ModelName}:{ModelVersion}";
}
