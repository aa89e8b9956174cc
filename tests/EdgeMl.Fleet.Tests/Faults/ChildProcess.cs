using System.Diagnostics;

namespace EdgeMl.Fleet.Tests.Faults;

/// <summary>A program of this build run as a child process that a test can kill -9; its output lines are kept for the test to wait on.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>dotnet &lt;assembly&gt;.dll args</c> from the test output folder (the test project references both programs).</summary>
    public static ChildProcess Start(string assembly, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly + ".dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"dotnet {assembly} did not start"));
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Polls the output until a line matches; fails the test when the process exits first or the timeout passes.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{(_process.HasExited ? "the process exited" : $"timed out after {timeout.TotalSeconds:F0} s")} waiting for {what}; last lines:\n{string.Join('\n', Lines.TakeLast(15))}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL, as a power cut or the OOM killer would: no finally block, no flush.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }
    }
}
