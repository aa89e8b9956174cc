using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Bench;

public sealed class BenchDriftCommandTests
{
    [Fact]
    public async Task Prints_detection_delay_and_false_alarms_for_both_changes_at_each_window_size()
    {
        var run = await FleetCli.RunAsync(["bench-drift", "--cameras", "6", "--windows", "30", "--frames", "2000", "300"]);

        Assert.Equal(0, run.ExitCode);
        var rows = run.Output.Split('\n').Where(l => l.StartsWith("sudden", StringComparison.Ordinal) || l.StartsWith("gradual", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, rows.Count);
        Assert.Contains(rows, r => r.Contains(" PSI ", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains(" KS ", StringComparison.Ordinal));
        Assert.All(rows, r => Assert.Matches(@"\d+\.\d\d  \(\d+ in \d+\)$", r.TrimEnd()));
    }

    [Fact]
    public async Task Refuses_a_manifest_without_reference_statistics_in_one_line()
    {
        var manifest = Path.Combine(Path.GetTempPath(), $"edgeml-bench-drift-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(manifest, "{ \"schemaVersion\": 1 }");
        try
        {
            var run = await FleetCli.RunAsync(["bench-drift", "--manifest", manifest]);

            Assert.Equal(1, run.ExitCode);
            Assert.Single(run.Error.Trim().Split('\n'));
            Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(manifest);
        }
    }
}
