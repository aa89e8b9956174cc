using EdgeMl.Agent.Inference;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Tests.Sync;

public sealed class ProviderFallbackTests
{
    [Fact]
    public async Task A_device_that_falls_back_to_the_cpu_tells_the_fleet_why()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-fallback-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"));
        await fleet.PushAsync(RepoPaths.Package("v1"));
        // The test build carries the CPU-only ONNX Runtime, so 'auto' always falls back, with its reason.
        await using var agent = new TestAgent(fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=a", provider: ExecutionProviderKind.Auto);
        await agent.StartAsync();

        await fleet.SetDesiredStateAsync(agent.DeviceId!, "crack-detector:v1");

        var active = await Eventually.HoldsAsync(
            () => fleet.DeviceAsync(agent.DeviceId!), d => d.State == DeviceModelState.Active, TimeSpan.FromSeconds(30), "the device to report v1 active");
        Assert.Equal("cpu", active.ExecutionProvider);
        Assert.StartsWith("runs on cpu: this build of the agent carries the CPU-only ONNX Runtime", active.Reason, StringComparison.Ordinal);
        await agent.StopAsync();
        await fleet.StopAsync();
        Directory.Delete(root, recursive: true);
    }
}
