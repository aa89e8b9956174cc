using System.Diagnostics;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>Runs the fleet-server built beside the tests as a real process, as an admin types it.</summary>
internal static class FleetCli
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <param name="adminToken">EDGEML_ADMIN_TOKEN for the process; null runs it without one.</param>
    /// <param name="input">Written to the process's standard input, which is then closed; null leaves it unredirected.</param>
    public static async Task<Result> RunAsync(IEnumerable<string> arguments, string? adminToken = null, TimeSpan? timeout = null, string? input = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fleet-server.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("EDGEML_ADMIN_TOKEN");
        if (adminToken is not null)
        {
            start.Environment["EDGEML_ADMIN_TOKEN"] = adminToken;
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(deadline.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
