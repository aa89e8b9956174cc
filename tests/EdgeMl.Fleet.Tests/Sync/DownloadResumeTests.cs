using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Sync;

public sealed class DownloadResumeTests
{
    [Fact]
    public async Task A_download_cut_half_way_continues_from_its_offset()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-cut-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleet = await TestFleet.StartAsync(
            Path.Combine(root, "server"),
            services => services.Configure<SyncOptions>(o => o.DownloadChunkBytes = 8 * 1024));
        var model = await fleet.PushAsync(RepoPaths.Package("v2"));
        // Enrolment and the first stream take a few kilobytes; the cut lands inside the bundle.
        await using var proxy = new FaultyProxy(fleet.Options.GrpcPort, cutAfterBytes: 16 * 1024 + (model.BundleSize / 2));
        await using var agent = new TestAgent(proxy.Address, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=a");
        await agent.StartAsync();

        var request = new StartRolloutRequest { Model = "crack-detector:v2", Mode = "canary" };
        request.Waves.Add("100%");
        var rollout = await fleet.Admin.StartRolloutAsync(request);
        await fleet.WaitForRolloutAsync(rollout.RolloutId, "completed");

        var stats = fleet.Services.GetRequiredService<DownloadStats>();
        Assert.True(proxy.HasCut, "the proxy never cut the connection");
        Assert.True(stats.Resumed >= 1, $"no download continued from an offset ({stats.Downloads} downloads)");
        Assert.Equal("crack-detector:v2", agent.ActiveModel);
        Directory.Delete(root, recursive: true);
    }
}
