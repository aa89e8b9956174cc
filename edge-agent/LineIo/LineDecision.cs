namespace EdgeMl.Agent.LineIo;

/// <summary>What the scoring side decided about one part, as far as the line needs to know.</summary>
public enum LineDecision
{
    AutoPass,
    AutoReject,
    Escalate,
    Error,
}
