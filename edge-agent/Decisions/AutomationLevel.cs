namespace EdgeMl.Agent.Decisions;

/// <summary>How far the model's band decides a frame (DESIGN.md, "Degrees of automation").</summary>
public enum AutomationLevel
{
    /// <summary>Every frame goes to a person; the model's result is kept in the records only.</summary>
    Human,
    /// <summary>Every frame goes to a person; the model's suggestion is recorded beside the person's verdict, not shown to them.</summary>
    Shadow,
    /// <summary>Every frame goes to a person, who is shown the model's suggestion.</summary>
    Assist,
    /// <summary>A frame in a confident band is decided by the model; the rest go to a person.</summary>
    Partial,
    /// <summary>The model decides every frame: its band when confident, its top label otherwise.</summary>
    Full,
}
