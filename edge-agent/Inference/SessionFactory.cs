using EdgeMl.Contracts.Packaging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeMl.Agent.Inference;

/// <summary>Creates ONNX Runtime sessions on the configured provider; never falls back without saying why.</summary>
internal static class SessionFactory
{
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";
    private const string CudaProviderName = "CUDAExecutionProvider";

    public static (InferenceSession Session, ExecutionProviderChoice Choice) Create(ModelPackage package, InferenceOptions options)
    {
        if (options.ExecutionProvider == ExecutionProviderKind.Cpu)
        {
            return (CreateSession(package, options, cuda: false), new ExecutionProviderChoice(ExecutionProviderKind.Cpu, Cpu, null));
        }

        string reason;
        if (!OrtEnv.Instance().GetAvailableProviders().Contains(CudaProviderName))
        {
            reason = "this build of the agent carries the CPU-only ONNX Runtime; build with -p:Accelerator=cuda for CUDA";
        }
        else
        {
            try
            {
                return (CreateSession(package, options, cuda: true), new ExecutionProviderChoice(options.ExecutionProvider, Cuda, null));
            }
            catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                reason = $"CUDA could not be started: {FirstLine(e.Message)}";
            }
        }

        if (options.ExecutionProvider == ExecutionProviderKind.Cuda)
        {
            throw new ExecutionProviderUnavailableException(
                $"execution provider 'cuda' was requested but {reason}. Install the CUDA 13 and cuDNN 9 libraries where the loader finds them (LD_LIBRARY_PATH), or set the provider to 'auto' or 'cpu'.");
        }

        return (CreateSession(package, options, cuda: false), new ExecutionProviderChoice(ExecutionProviderKind.Auto, Cpu, reason));
    }

    /// <summary>A session on the CPU with the configured threading, whatever provider the options name (the reference a GPU is checked against).</summary>
    public static InferenceSession CreateCpu(ModelPackage package, InferenceOptions options) => CreateSession(package, options, cuda: false);

    private static InferenceSession CreateSession(ModelPackage package, InferenceOptions options, bool cuda)
    {
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
        };
        if (cuda)
        {
            sessionOptions.AppendExecutionProvider_CUDA(options.CudaDeviceId);
        }

        return new InferenceSession(package.ModelPath, sessionOptions);
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
