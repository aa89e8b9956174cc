namespace EdgeMl.Agent.Decisions;

/// <summary>Where the model's probabilities put a frame, whatever the automation level then does with it.</summary>
public enum Band
{
    /// <summary>The frame has no scores (an error).</summary>
    None,
    Pass,
    Escalate,
    Reject,
}
