using EdgeMl.Agent.Tests.Infrastructure;

namespace EdgeMl.Agent.Tests.Cli;

/// <summary><c>run</c> reads its settings from a config file, EDGEML_* variables and flags, and refuses bad ones before it starts.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task Reads_settings_from_a_config_file()
    {
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.File("agent.json"), """{ "Agent": { "Server": "http://127.0.0.1:9", "Fps": 5000, "DataDirectory": "unused" } }""");

        var run = await ProcessRunner.AgentAsync("run", "--config", temp.File("agent.json"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--fps 5000 must be between 0 and 1000", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_overrides_the_config_file_and_flags_override_both()
    {
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.File("agent.json"), """{ "Agent": { "Fps": 5000 } }""");
        var environment = new Dictionary<string, string> { ["EDGEML_AGENT__FPS"] = "2000", ["EDGEML_AGENT__SERVER"] = "not a url" };

        var fromEnvironment = await ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "edge-agent.dll"), "run", "--config", temp.File("agent.json")], TimeSpan.FromMinutes(2), environment);
        var fromFlags = await ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "edge-agent.dll"), "run", "--config", temp.File("agent.json"), "--fps", "3000", "--server", "http://127.0.0.1:9"], TimeSpan.FromMinutes(2), environment);

        Assert.Contains("--fps 2000 must be", fromEnvironment.Error, StringComparison.Ordinal);
        Assert.Contains("Agent:Server (--server) must be the fleet server's address", fromEnvironment.Error, StringComparison.Ordinal);
        Assert.Contains("--fps 3000 must be", fromFlags.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Agent:Server", fromFlags.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_the_devices_decision_settings_before_it_starts_naming_every_problem()
    {
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.File("agent.json"), """{ "Decisions": { "AuditShare": 3, "Bands": { "Label": "cracked", "Lower": 0.9, "Upper": 0.5 } } }""");

        var run = await ProcessRunner.AgentAsync("run", "--config", temp.File("agent.json"), "--server", "http://127.0.0.1:9", "--data", temp.File("data"), "--automation", "shadow");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            "error: Decisions:AuditShare is 3; use 0-1 (a share of automatic decisions); Decisions:Bands: lower 0.9 and upper 0.5 must satisfy 0 <= lower < upper <= 1",
            run.Error.Trim());
    }

    [Fact]
    public async Task Inference_flags_reach_the_inference_settings_and_are_checked_before_it_starts()
    {
        using var temp = new TempDirectory();

        var run = await ProcessRunner.AgentAsync("run", "--server", "http://127.0.0.1:9", "--data", temp.File("data"), "--workers", "0", "--intra-op-threads", "999");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Inference:Workers is 0", run.Error, StringComparison.Ordinal);
        Assert.Contains("Inference:IntraOpThreads is 999; use 0 (runtime default) to 256", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("has not enrolled yet", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_to_start_unenrolled_without_a_token()
    {
        using var temp = new TempDirectory();

        var run = await ProcessRunner.AgentAsync("run", "--server", "http://127.0.0.1:9", "--data", temp.File("data"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("has not enrolled yet", run.Error, StringComparison.Ordinal);
        Assert.Contains("--token", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_camera_address_it_cannot_read()
    {
        var run = await ProcessRunner.AgentAsync("run", "--server", "http://127.0.0.1:9", "--camera", "ftp://camera/stream");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--camera 'ftp://camera/stream' must be a device (/dev/video0) or an rtsp://", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lists_every_line_io_problem_before_enrolling()
    {
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.File("agent.json"), """{ "LineIo": { "Enabled": true, "RejectPin": 5, "FailSafe": "Reject", "GatePulse": "00:00:00" } }""");

        var run = await ProcessRunner.AgentAsync("run", "--server", "http://127.0.0.1:9", "--data", temp.File("data"), "--config", temp.File("agent.json"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("LineIo:TriggerPin is required", run.Error, StringComparison.Ordinal);
        Assert.Contains("LineIo:GatePulse 00:00:00 must be more than 0", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("has not enrolled yet", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_scoring_endpoint_without_a_token_before_enrolling()
    {
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.File("agent.json"), """{ "Agent": { "Http": { "Port": 8088 } } }""");

        var run = await ProcessRunner.AgentAsync("run", "--server", "http://127.0.0.1:9", "--data", temp.File("data"), "--config", temp.File("agent.json"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: Agent:Http:Token must be set, at least 16 characters, when Agent:Http:Port is set", run.Error.Trim());
    }

    [Fact]
    public async Task Refuses_heatmap_settings_out_of_range_before_enrolling()
    {
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.File("agent.json"), """{ "Explanation": { "Enabled": true, "QueueCapacity": 0 } }""");

        var run = await ProcessRunner.AgentAsync("run", "--server", "http://127.0.0.1:9", "--data", temp.File("data"), "--config", temp.File("agent.json"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: Explanation:QueueCapacity is 0; use 1 to 10000", run.Error.Trim());
    }

    [Theory]
    [InlineData("""{ "Outbox": { "MaxMessages": 3 } }""", "Outbox:MaxMessages 3 is too small")]
    [InlineData("""{ "Telemetry": { "Interval": "00:00:00.1" } }""", "Telemetry:Interval 00:00:00.1000000 must be between")]
    public async Task Refuses_outbox_and_telemetry_settings_before_enrolling(string settings, string expected)
    {
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.File("agent.json"), settings);

        var run = await ProcessRunner.AgentAsync("run", "--server", "http://127.0.0.1:9", "--data", temp.File("data"), "--config", temp.File("agent.json"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("has not enrolled yet", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }
}
