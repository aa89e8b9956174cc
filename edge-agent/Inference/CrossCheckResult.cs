namespace EdgeMl.Agent.Inference;

/// <summary>How far a provider's probabilities strayed from the reference's over the frames compared.</summary>
internal readonly record struct CrossCheckResult(double MaxDifference, int Frames, bool Agrees);
