namespace EdgeMl.Agent.Inference;

/// <summary>How the agent runs its models; bound from the <c>Inference</c> section, CLI flags and <c>EDGEML_INFERENCE__*</c>.</summary>
public sealed class InferenceOptions
{
    public const string Section = "Inference";

    public ExecutionProviderKind ExecutionProvider { get; set; } = ExecutionProviderKind.Auto;

    public int CudaDeviceId { get; set; }

    /// <summary>Frames scored at once; each worker decodes, preprocesses and infers one frame start to end.</summary>
    public int Workers { get; set; } = Environment.ProcessorCount;

    /// <summary>Threads inside one ONNX Runtime call; 1 lets the workers use the cores instead.</summary>
    public int IntraOpThreads { get; set; } = 1;

    public int InterOpThreads { get; set; } = 1;

    /// <summary>Runs on a blank frame before a model is declared ready, so the first real frame is not slow.</summary>
    public int WarmupRuns { get; set; } = 3;

    public IEnumerable<string> Validate()
    {
        if (Workers is < 1 or > 256)
        {
            yield return $"Inference:Workers is {Workers}; use 1-256";
        }

        if (IntraOpThreads is < 0 or > 256)
        {
            yield return $"Inference:IntraOpThreads is {IntraOpThreads}; use 0 (runtime default) to 256";
        }

        if (InterOpThreads is < 0 or > 256)
        {
            yield return $"Inference:InterOpThreads is {InterOpThreads}; use 0 (runtime default) to 256";
        }

        if (WarmupRuns is < 0 or > 1000)
        {
            yield return $"Inference:WarmupRuns is {WarmupRuns}; use 0-1000";
        }
    }
}
