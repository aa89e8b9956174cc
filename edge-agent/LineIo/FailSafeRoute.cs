namespace EdgeMl.Agent.LineIo;

/// <summary>Where a part goes when no confident verdict is ready in time; never the pass path.</summary>
public enum FailSafeRoute
{
    Hold,
    Reject,
}
