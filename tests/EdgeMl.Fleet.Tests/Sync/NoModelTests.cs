using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Tests.Sync;

public sealed class NoModelTests
{
    [Fact]
    public async Task A_desired_state_without_a_model_unloads_it_escalates_every_frame_and_says_so()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-nomodel-" + Guid.NewGuid().ToString("N")[..10]);
        var input = Directory.CreateDirectory(Path.Combine(root, "camera")).FullName;
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"));
        await fleet.PushAsync(RepoPaths.Package("v1"));
        await using var agent = new TestAgent(fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=a", input: input);
        await agent.StartAsync();
        var device = agent.DeviceId!;
        await fleet.SetDesiredStateAsync(device, "crack-detector:v1");
        await Eventually.HoldsAsync(() => Task.FromResult(agent.ActiveModel), m => m == "crack-detector:v1", TimeSpan.FromSeconds(30), "the agent to load v1");

        // What the server writes when a device's first rollout is rolled back: a state with no model.
        var revision = await fleet.SetDesiredStateAsync(device, null, rollback: true);

        var reported = await Eventually.HoldsAsync(
            () => fleet.DeviceAsync(device), d => d.State == DeviceModelState.NoModel, TimeSpan.FromSeconds(30), "the device to report that it has no model");
        Assert.Null(agent.ActiveModel);
        Assert.Contains("escalated", reported.Reason, StringComparison.Ordinal);
        Assert.True(revision > 1);

        var samples = Directory.GetFiles(Path.Combine(RepoPaths.Root, "models", "crack-detector", "samples"), "*.jpg").Take(3).ToList();
        foreach (var (sample, i) in samples.Select((s, i) => (s, i)))
        {
            var temporary = Path.Combine(input, $"frame-{i}.jpg.tmp");
            File.Copy(sample, temporary);
            File.Move(temporary, Path.Combine(input, $"frame-{i}.jpg"));
        }

        await Eventually.HoldsAsync(() => Task.FromResult(agent.Counters.Frames), n => n == 3, TimeSpan.FromSeconds(20), "three frames handled");
        Assert.Equal(3, agent.Counters.Escalated);
        Assert.Equal(0, agent.Counters.Errors);
        await agent.StopAsync();
        await fleet.StopAsync();
        Directory.Delete(root, recursive: true);
    }
}
