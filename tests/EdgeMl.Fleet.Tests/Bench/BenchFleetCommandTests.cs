using System.Text.Json.Nodes;
using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Bench;

public sealed class BenchFleetCommandTests
{
    [Fact]
    public async Task Measures_a_small_fleet_and_writes_every_figure()
    {
        var json = Path.Combine(Path.GetTempPath(), "edgeml-bench-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        var run = await FleetCli.RunAsync(
            ["bench-fleet", "--devices", "50", "--download-seconds", "1", "--download-clients", "2", "--model", RepoPaths.Package("v2"), "--json", json],
            timeout: TimeSpan.FromMinutes(3));

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        var figures = JsonNode.Parse(await File.ReadAllTextAsync(json))!;
        Assert.Equal(50, figures["devices"]!.GetValue<int>());
        foreach (var key in new[] { "seconds_to_desired_state", "server_kb_per_device", "download_mb_per_s", "server_rss_after_mb" })
        {
            Assert.True(figures[key]!.GetValue<double>() > 0, $"{key} is {figures[key]}");
        }

        File.Delete(json);
    }
}
