using System.Text.Json.Nodes;
using EdgeMl.Agent.Tests.Infrastructure;

namespace EdgeMl.Agent.Tests.Cli;

public sealed class BenchCommandTests
{
    [Fact]
    public async Task Measures_all_three_paths_and_writes_the_figures()
    {
        var frames = await GeneratedFrames.GetAsync(4, 31, "--width", "1920", "--height", "1080");
        using var temp = new TempDirectory();
        var input = Directory.CreateDirectory(temp.File("frames")).FullName;
        foreach (var frame in Directory.GetFiles(frames, "*.jpg"))
        {
            File.Copy(frame, Path.Combine(input, Path.GetFileName(frame)));
        }

        var run = await ProcessRunner.AgentAsync("bench", "--model", Repo.Package("v2"), "--input", input, "--seconds", "1", "--json", temp.File("bench.json"), "--ep", "cpu");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("(c) agent pipeline", run.Output, StringComparison.Ordinal);
        var figures = JsonNode.Parse(await File.ReadAllTextAsync(temp.File("bench.json")))!.AsObject();
        foreach (var key in new[] { "raw_ort_ips", "naive_ips", "agent_ips", "p50_ms", "p95_ms", "p99_ms", "decode_ms", "inference_ms", "outside_share", "peak_rss_mb" })
        {
            Assert.True(figures[key]!.GetValue<double>() > 0 || key == "outside_share", $"{key} is {figures[key]}");
        }

        Assert.Equal("cpu", figures["execution_provider"]!.GetValue<string>());
        Assert.Equal("1920x1080", figures["frame_size"]!.GetValue<string>());
        Assert.Equal(0, figures["agent_errors"]!.GetValue<long>());
        Assert.InRange(figures["outside_share"]!.GetValue<double>(), 0, 1);
        Assert.True(figures["p50_ms"]!.GetValue<double>() <= figures["p95_ms"]!.GetValue<double>());
        Assert.True(figures["p95_ms"]!.GetValue<double>() <= figures["p99_ms"]!.GetValue<double>());
    }
}
