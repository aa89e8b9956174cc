using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Bench;

public sealed class BenchTelemetryCommandTests
{
    [Fact]
    public async Task Stores_every_aggregate_once_and_prints_the_named_broker_process_s_cpu()
    {
        // Any process of this machine stands for the broker's: the line reports the CPU it spent during the phase.
        var run = await FleetCli.RunAsync(["bench-telemetry", "--devices", "5", "--aggregates", "4", "--broker-pid", $"{Environment.ProcessId}"]);

        Assert.Equal(0, run.ExitCode);
        // The phases' lines, among the server's log.
        var lines = run.Output.Split('\n').Where(l => l.Contains(" aggregates/s, ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, lines.Count);
        Assert.StartsWith("embedded broker, broker alone", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("store alone (SQLite", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("embedded broker, stored: 20 of 20 in ", lines[2], StringComparison.Ordinal);
        Assert.All(lines, l => Assert.Contains(" 0 lost; this process ", l, StringComparison.Ordinal));
        Assert.Matches(@"; the broker's process \d+ us \(\d+ % of one core\)$", lines[2].TrimEnd());
        Assert.DoesNotContain("the broker's process", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_broker_pid_of_no_process_in_one_line()
    {
        var run = await FleetCli.RunAsync(["bench-telemetry", "--devices", "1", "--aggregates", "1", "--broker-pid", $"{int.MaxValue}"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"error: --broker-pid {int.MaxValue}: no such process", run.Error.Trim());
    }
}
