namespace EdgeMl.Fleet.Rollouts;

/// <summary>Where a wave stands: what its gates look at. <see cref="Failed"/> includes the <see cref="Silent"/> devices.</summary>
internal sealed record WaveCounts(int Targeted, int Updated, int Failed, int Pending, int Offline, int Probation = 0, int Silent = 0)
{
    public double FailureRate => Targeted == 0 ? 0 : (double)Failed / Targeted;
}
