using EdgeMl.Agent.Inference;
using EdgeMl.Contracts.Packaging;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Cli;

/// <summary>Turns expected failures (bad model, missing folder, unavailable provider) into a clear message and exit code 2.</summary>
internal static class CommandRunner
{
    public const int UsageError = 2;

    public static async Task<int> RunAsync(Func<ILoggerFactory, Task<int>> action)
    {
        using var loggers = AgentConfiguration.Logging();
        try
        {
            return await action(loggers);
        }
        catch (Exception e) when (e is ModelPackageException or ExecutionProviderUnavailableException or DirectoryNotFoundException or ArgumentException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return UsageError;
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
        {
            await Console.Error.WriteLineAsync($"error: the model could not be loaded by ONNX Runtime: {e.Message}");
            return UsageError;
        }
    }
}
