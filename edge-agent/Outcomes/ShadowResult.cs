namespace EdgeMl.Agent.Outcomes;

/// <summary>What the shadow model said about the same frame; it never decides, it is only compared.</summary>
public readonly record struct ShadowResult(ModelVersionId Model, string TopLabel, bool Agreed);
