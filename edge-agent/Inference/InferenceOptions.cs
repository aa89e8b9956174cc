using System.ComponentModel;
using EdgeMl.Contracts.Configuration;

namespace EdgeMl.Agent.Inference;

/// <summary>How the agent runs its models; bound from the <c>Inference</c> section, CLI flags and <c>EDGEML_INFERENCE__*</c>.</summary>
public sealed class InferenceOptions
{
    public const string Section = "Inference";

    /// <summary><c>auto</c> (CUDA when it works here, else the CPU, saying why), <c>cpu</c> or <c>cuda</c> (fails with the reason).</summary>
    [CommandLineFlag("--ep")]
    public ExecutionProviderKind ExecutionProvider { get; set; } = ExecutionProviderKind.Auto;

    /// <summary>The GPU that CUDA runs on, as CUDA numbers them.</summary>
    public int CudaDeviceId { get; set; }

    /// <summary>Frames scored at once; each worker decodes, preprocesses and infers one frame start to end.</summary>
    // The default depends on the machine; the reference states the rule instead of this machine's count.
    [DefaultValue("the number of cores")]
    [CommandLineFlag("--workers")]
    public int Workers { get; set; } = Environment.ProcessorCount;

    /// <summary>Threads inside one ONNX Runtime call; 1 lets the workers use the cores instead.</summary>
    [CommandLineFlag("--intra-op-threads")]
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Threads ONNX Runtime may use to run independent parts of one model in parallel; 0 is the runtime's default.</summary>
    public int InterOpThreads { get; set; } = 1;

    /// <summary>Runs on a blank frame before a model is declared ready, so the first real frame is not slow.</summary>
    public int WarmupRuns { get; set; } = 3;

    /// <summary>Largest difference in any label's probability a GPU may show against the CPU on the load-time check before <c>auto</c> keeps the CPU.</summary>
    [CommandLineFlag("--tolerance", Command = "check")]
    public double CrossCheckTolerance { get; set; } = 0.01;

    /// <summary>
    /// Pixels one frame may decode to (after JPEG's reduced-scale decoding), 4 bytes each: the decode
    /// memory a frame can take. 25 MP covers 20 MP industrial cameras and 4K; a larger frame is an
    /// <c>error</c> row, refused from its header before anything is decoded.
    /// </summary>
    public long MaxDecodePixels { get; set; } = 25_000_000;

    /// <summary>Keeps 4 bytes a pixel addressable by one array.</summary>
    public const long MaxDecodePixelsLimit = 256L * 1024 * 1024;

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

        if (!(CrossCheckTolerance is >= 0 and <= 1))
        {
            yield return $"Inference:CrossCheckTolerance is {CrossCheckTolerance}; use 0-1 (a probability difference)";
        }

        if (MaxDecodePixels is < 1 or > MaxDecodePixelsLimit)
        {
            yield return $"Inference:MaxDecodePixels is {MaxDecodePixels}; use 1-{MaxDecodePixelsLimit}";
        }
    }
}
