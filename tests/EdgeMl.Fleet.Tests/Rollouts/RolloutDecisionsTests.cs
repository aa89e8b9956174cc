using EdgeMl.Agent.Decisions;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Core;

namespace EdgeMl.Fleet.Tests.Rollouts;

/// <summary>A rollout's automation level and bands travel in the desired state and decide its devices' frames.</summary>
public sealed class RolloutDecisionsTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-rolloutdecisions-" + Guid.NewGuid().ToString("N")[..10]);
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
    public async Task A_rollouts_automation_level_and_bands_win_over_the_devices_and_the_manifests_and_frames_record_the_level()
    {
        await using var agent = new TestAgent(_fleet.GrpcAddress, await _fleet.TokenAsync(), Path.Combine(_root, "agent"), "site=a");
        await agent.StartAsync();
        var request = new StartRolloutRequest { Model = "crack-detector:v1", Mode = "canary", Automation = "full", Bands = new DecisionBands { Label = "cracked", Lower = 0.2, Upper = 0.4 } };
        request.Waves.Add("100%");

        var started = await _fleet.Admin.StartRolloutAsync(request);
        var set = await Eventually.HoldsAsync(() => Task.FromResult(agent.Models.Current), s => s?.Fleet is not null, TimeSpan.FromSeconds(30), "the agent to run v1 with the rollout's settings");

        // The device's own level is partial, and v1's manifest would escalate a 0.5 crack (its threshold is 0.97).
        var verdict = set!.Policy.Decide([0.5f, 0.5f], "frame-1");
        Assert.Equal((Band.Reject, AutomationLevel.Full), (verdict.Band, verdict.Automation));
        Assert.NotEqual(Decision.Escalate, verdict.Decision);
        Assert.Equal(("full", "cracked", 0.4), (started.Automation, started.Bands.Label, started.Bands.Upper));
    }

    [Fact]
    public async Task Refuses_a_rollout_whose_bands_name_a_label_the_model_does_not_have()
    {
        var request = new StartRolloutRequest { Model = "crack-detector:v1", Mode = "canary", Bands = new DecisionBands { Label = "crack", Lower = 0.2, Upper = 0.8 } };
        request.Waves.Add("100%");

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await _fleet.Admin.StartRolloutAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("the rollout's decision settings do not fit crack-detector:v1: ", refused.Status.Detail);
        Assert.Contains("crack", refused.Status.Detail);
    }
}
