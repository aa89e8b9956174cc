using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Tests.Sync;

public sealed class RefusalTests
{
    [Fact]
    public async Task A_refused_desired_state_is_reported_to_the_server_with_its_reason()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-refused-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"));
        await fleet.PushAsync(RepoPaths.Package("v1"));
        // A device whose clock runs two hours ahead sees every state the server signs as expired.
        await using var agent = new TestAgent(fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=a", time: new ShiftedTime(TimeSpan.FromHours(2)));
        await agent.StartAsync();

        await fleet.SetDesiredStateAsync(agent.DeviceId!, "crack-detector:v1");

        var refused = await Eventually.HoldsAsync(
            () => fleet.DeviceAsync(agent.DeviceId!), d => d.State == DeviceModelState.Refused, TimeSpan.FromSeconds(30), "the device to report the refusal");
        Assert.Contains("expired at", refused.Reason, StringComparison.Ordinal);
        Assert.Null(agent.ActiveModel);
        Assert.Contains((await fleet.Admin.ListAuditAsync(new ListAuditRequest())).Entries, a => a.Action == "device.refused" && a.Detail.Contains("expired at", StringComparison.Ordinal));
        await agent.StopAsync();
        await fleet.StopAsync();
        Directory.Delete(root, recursive: true);
    }

    /// <summary>A wall clock off by <paramref name="offset"/>; timers still run at the real pace.</summary>
    private sealed class ShiftedTime(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }
}
