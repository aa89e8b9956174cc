using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Sync;

public sealed class StatusReportTests
{
    [Fact]
    public async Task A_device_cut_off_until_its_state_expires_reports_stale_once_the_server_is_back()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-stale-" + Guid.NewGuid().ToString("N")[..10]);
        var tap = new DeviceCallTap();
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"), services =>
        {
            tap.AddTo(services);
            services.Configure<SyncOptions>(o => o.StateLifetime = TimeSpan.FromSeconds(4));
        });
        await fleet.PushAsync(RepoPaths.Package("v1"));
        await using var agent = new TestAgent(fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=a");
        await agent.StartAsync();
        var device = agent.DeviceId!;
        await fleet.SetDesiredStateAsync(device, "crack-detector:v1");
        await Eventually.HoldsAsync(() => fleet.DeviceAsync(device), d => d.State == DeviceModelState.Active, TimeSpan.FromSeconds(30), "the device to report v1 active");

        await fleet.StopAsync();
        // With the server away the last state expires: the alert is raised, and its report waits in the agent.
        await Eventually.HoldsAsync(() => Task.FromResult(agent.Sync.Stale), stale => stale, TimeSpan.FromSeconds(30), "the agent to see its state expire");
        Assert.True(agent.Reporter.Pending > 0);
        Assert.DoesNotContain(tap.Reports, r => r.State == DeviceModelState.Stale);
        await fleet.StartAsync();

        var stale = await Eventually.HoldsAsync(
            () => Task.FromResult(tap.Reports.FirstOrDefault(r => r.State == DeviceModelState.Stale)), r => r is not null, TimeSpan.FromSeconds(30), "the stale report to arrive");
        Assert.Equal("v1", stale!.ModelVersion);
        Assert.Contains("expired", stale.Reason, StringComparison.Ordinal);
        Assert.Equal("crack-detector:v1", agent.ActiveModel);
        await agent.StopAsync();
        await fleet.StopAsync();
        Directory.Delete(root, recursive: true);
    }
}
