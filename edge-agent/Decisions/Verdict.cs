namespace EdgeMl.Agent.Decisions;

/// <summary>The top label (an index into the model's labels), its probability, and what follows from it.</summary>
public readonly record struct Verdict(int Label, float Confidence, Decision Decision);
