namespace EdgeMl.Agent.Decisions;

/// <summary>What happens to a frame: decided by the model, handed to a human, decided by the model and audited by a human, or not scorable.</summary>
public enum Decision
{
    Auto,
    Escalate,
    /// <summary>Decided by the model like <see cref="Auto"/>, and also sent to a person, so that the real accuracy of automatic decisions becomes known.</summary>
    Audit,
    Error,
}
