namespace EdgeMl.Agent.Inference;

/// <summary>The provider a session really uses, and why it is not the one asked for when they differ.</summary>
public sealed record ExecutionProviderChoice(ExecutionProviderKind Requested, string Provider, string? FallbackReason);
