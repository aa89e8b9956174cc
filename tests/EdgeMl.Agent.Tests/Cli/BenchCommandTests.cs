using System.Text.Json.Nodes;
using EdgeMl.Agent.Tests.Infrastructure;

namespace EdgeMl.Agent.Tests.Cli;

public sealed class BenchCommandTests
{
    [Fact]
    public async Task Measures_all_paths_with_and_without_heatmaps_and_writes_the_figures()
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
        Assert.Contains("(d) agent pipeline with heatmaps", run.Output, StringComparison.Ordinal);
        Assert.Contains("(e) decoder limit, decode only", run.Output, StringComparison.Ordinal);
        Assert.Contains("(libjpeg-turbo (TurboJPEG), scale 1/2)", run.Output, StringComparison.Ordinal);
        Assert.Contains("(f) decoder limit with inference", run.Output, StringComparison.Ordinal);
        var figures = JsonNode.Parse(await File.ReadAllTextAsync(temp.File("bench.json")))!.AsObject();
        foreach (var key in new[] { "raw_ort_ips", "naive_ips", "agent_ips", "p50_ms", "p95_ms", "p99_ms", "decode_ms", "inference_ms", "outside_share", "peak_rss_mb", "heatmap_frames_ips", "decode_limit_ips", "decode_inference_limit_ips" })
        {
            Assert.True(figures[key]!.GetValue<double>() > 0 || key == "outside_share", $"{key} is {figures[key]}");
        }

        // The heatmap thread runs under SCHED_IDLE: with other work on every core it may make none in the one-second
        // window, and then its cost per heatmap is unmeasured (null), not zero.
        Assert.True(figures["heatmaps_per_s"]!.GetValue<double>() >= 0);
        Assert.True(figures["heatmap_ms"] is null ? figures["heatmaps_per_s"]!.GetValue<double>() == 0 : figures["heatmap_ms"]!.GetValue<double>() > 0);
        Assert.Equal("cpu", figures["execution_provider"]!.GetValue<string>());
        Assert.Equal("1920x1080", figures["frame_size"]!.GetValue<string>());
        Assert.Equal("1/2", figures["decode_scale"]!.GetValue<string>());
        Assert.Equal("libjpeg-turbo (TurboJPEG)", figures["jpeg_decoder"]!.GetValue<string>());
        Assert.Equal(0, figures["agent_errors"]!.GetValue<long>());
        Assert.InRange(figures["outside_share"]!.GetValue<double>(), 0, 1);
        Assert.True(figures["p50_ms"]!.GetValue<double>() <= figures["p95_ms"]!.GetValue<double>());
        Assert.True(figures["p95_ms"]!.GetValue<double>() <= figures["p99_ms"]!.GetValue<double>());
        // Each paired round measured both the limit and the agent.
        Assert.Equal(3, figures["limit_shares"]!.AsArray().Count);
        Assert.All(figures["limit_shares"]!.AsArray(), s => Assert.True(s!.GetValue<double>() > 0, $"a share of {s}"));
        Assert.Matches(@"in 3 paired rounds \(limit, then agent\): [0-9.]+ %, [0-9.]+ %, [0-9.]+ %; median [0-9.]+ %", run.Output);
    }

    [Fact]
    public async Task A_run_too_short_to_measure_writes_null_figures_not_infinity()
    {
        using var temp = new TempDirectory();
        var input = Directory.CreateDirectory(temp.File("frames")).FullName;
        File.Copy(Directory.GetFiles(Path.Combine(Repo.Models, "samples"), "*.jpg").Order(StringComparer.Ordinal).First(), Path.Combine(input, "a.jpg"));

        var run = await ProcessRunner.AgentAsync("bench", "--model", Repo.Package("v1"), "--input", input, "--seconds", "0.000001", "--json", temp.File("bench.json"), "--ep", "cpu", "--workers", "1");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.DoesNotContain("Infinity", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", run.Output, StringComparison.Ordinal);
        var figures = JsonNode.Parse(await File.ReadAllTextAsync(temp.File("bench.json")))!.AsObject();
        Assert.Null(figures["alloc_bytes_per_frame"]);
        foreach (var (key, value) in figures)
        {
            if (value is JsonValue number && number.TryGetValue<double>(out var figure))
            {
                Assert.True(double.IsFinite(figure), $"{key} is {figure}");
            }
        }
    }

    [Fact]
    public async Task Refuses_a_measuring_time_of_zero()
    {
        var run = await ProcessRunner.AgentAsync("bench", "--model", Repo.Package("v1"), "--input", Path.Combine(Repo.Models, "samples"), "--seconds", "0", "--ep", "cpu");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: --seconds is 0; use more than 0 and at most 3600", run.Error.Trim());
    }
}
