namespace EdgeMl.Agent.Decisions;

/// <summary>
/// The label the model suggests (an index into the model's labels), its probability, the band it falls in,
/// what follows from it, and the automation level that decided that; <see cref="Automation"/> is null for a
/// frame that never reached a model.
/// </summary>
public readonly record struct Verdict(int Label, float Confidence, Decision Decision, Band Band = Band.None, AutomationLevel? Automation = null);
