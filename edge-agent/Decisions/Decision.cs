namespace EdgeMl.Agent.Decisions;

/// <summary>What happens to a frame: decided by the model, handed to a human, or not scorable.</summary>
public enum Decision
{
    Auto,
    Escalate,
    Error,
}
