namespace EdgeMl.Agent.Inference;

/// <summary>Where inference runs: <c>auto</c> takes CUDA when the runtime can use it and says why when it cannot.</summary>
public enum ExecutionProviderKind
{
    Auto,
    Cpu,
    Cuda,
}
