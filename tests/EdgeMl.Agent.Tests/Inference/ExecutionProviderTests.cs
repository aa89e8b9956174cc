using EdgeMl.Agent.Inference;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Agent.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;

namespace EdgeMl.Agent.Tests.Inference;

/// <summary>
/// Runs in both builds: the CPU one (no CUDA provider at all) and <c>-p:Accelerator=cuda</c>
/// (provider present, CUDA libraries absent on CI machines). Neither may fall back silently.
/// </summary>
[Trait("Category", "ExecutionProvider")]
public sealed class ExecutionProviderTests
{
    private static readonly bool CudaBuild = OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider");

    [Fact]
    public void Cpu_runs_on_cpu_without_a_fallback_reason()
    {
        using var model = Load(ExecutionProviderKind.Cpu);

        Assert.Equal(new ExecutionProviderChoice(ExecutionProviderKind.Cpu, "cpu", null), model.Provider);
    }

    [Fact]
    public void Cuda_fails_with_the_reason_when_cuda_cannot_start()
    {
        if (CudaWorks())
        {
            using var model = Load(ExecutionProviderKind.Cuda);
            Assert.Equal("cuda", model.Provider.Provider);
            return;
        }

        var error = Assert.Throws<ExecutionProviderUnavailableException>(() => Load(ExecutionProviderKind.Cuda));

        Assert.StartsWith("execution provider 'cuda' was requested but ", error.Message, StringComparison.Ordinal);
        Assert.Contains(CudaBuild ? "CUDA could not be started: " : "CPU-only ONNX Runtime", error.Message, StringComparison.Ordinal);
        Assert.Contains("or set the provider to 'auto' or 'cpu'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_falls_back_to_cpu_and_says_why()
    {
        using var model = Load(ExecutionProviderKind.Auto);

        if (CudaWorks())
        {
            Assert.Equal("cuda", model.Provider.Provider);
            return;
        }

        Assert.Equal("cpu", model.Provider.Provider);
        Assert.NotNull(model.Provider.FallbackReason);
        Assert.Contains(CudaBuild ? "CUDA could not be started: " : "CPU-only ONNX Runtime", model.Provider.FallbackReason, StringComparison.Ordinal);
    }

    private static bool CudaWorks()
    {
        if (!CudaBuild)
        {
            return false;
        }

        try
        {
            using var options = new SessionOptions();
            options.AppendExecutionProvider_CUDA();
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }

    private static LoadedModel Load(ExecutionProviderKind kind) =>
        LoadedModel.Load(ModelPackage.Load(Repo.Package("v1")), new InferenceOptions { ExecutionProvider = kind, WarmupRuns = 1 });
}
