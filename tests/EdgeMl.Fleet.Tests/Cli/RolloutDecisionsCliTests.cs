using EdgeMl.Fleet.Tests.Infrastructure;
using Grpc.Net.Client;

namespace EdgeMl.Fleet.Tests.Cli;

/// <summary><c>rollout start --automation --bands</c> as an admin types it.</summary>
public sealed class RolloutDecisionsCliTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-rolloutcli-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;

    public async Task InitializeAsync()
    {
        _fleet = await TestFleet.StartAsync(Path.Combine(_root, "server"));
        await _fleet.PushAsync(RepoPaths.Package("v1"));
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Rollout_start_takes_an_automation_level_and_bands_and_refuses_malformed_ones()
    {
        using var channel = GrpcChannel.ForAddress(_fleet.GrpcAddress);
        await TestCases.EnrolAsync(_fleet, channel);

        var badLevel = await RunAsync("rollout", "start", "--model", "crack-detector:v1", "--automation", "mostly");
        var badBands = await RunAsync("rollout", "start", "--model", "crack-detector:v1", "--bands", "cracked:0.9:0.1");
        var started = await RunAsync("rollout", "start", "--model", "crack-detector:v1", "--waves", "100%", "--automation", "assist", "--bands", "cracked:0.05:0.95");

        Assert.NotEqual(0, badLevel.ExitCode);
        Assert.Contains("mostly", badLevel.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, badBands.ExitCode);
        Assert.Contains("--bands 'cracked:0.9:0.1' is not label:lower:upper", badBands.Error, StringComparison.Ordinal);
        Assert.Equal(0, started.ExitCode);
        Assert.Contains("  decisions: automation assist; bands cracked:0.05:0.95", started.Output, StringComparison.Ordinal);
    }

    private Task<FleetCli.Result> RunAsync(params string[] arguments) => FleetCli.RunAsync([.. arguments, "--server", _fleet.GrpcAddress], _fleet.AdminToken);
}
