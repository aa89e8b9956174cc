using System.Diagnostics;

namespace EdgeMl.Agent.Tests.Infrastructure;

/// <summary>Runs a real process to completion (with a deadline) and captures what it printed.</summary>
internal static class ProcessRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} ran past {timeout}: {await error}");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Runs the agent built beside the tests, exactly as a user's <c>dotnet run</c> would.</summary>
    public static Task<Result> AgentAsync(params string[] arguments) => AgentAsync(arguments, null);

    /// <summary>Runs the agent with extra environment variables (<c>EDGEML_*</c> settings).</summary>
    public static Task<Result> AgentAsync(string[] arguments, IDictionary<string, string>? environment) =>
        RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "edge-agent.dll"), .. arguments], TimeSpan.FromMinutes(5), environment);
}
