using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Sync;

public sealed class DownloadDeadlineTests
{
    [Fact]
    public async Task A_stalled_download_is_dropped_and_asked_again_from_where_it_stopped()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-stall-" + Guid.NewGuid().ToString("N")[..10]);
        var tap = new DeviceCallTap
        {
            // The first download sends two chunks and then nothing, without closing the stream.
            Pace = (_, call, chunk, cancellation) => call == 1 && chunk >= 2 ? Task.Delay(Timeout.Infinite, cancellation) : Task.CompletedTask,
        };
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"), services =>
        {
            tap.AddTo(services);
            services.Configure<SyncOptions>(o => o.DownloadChunkBytes = 8 * 1024);
        });
        await fleet.PushAsync(RepoPaths.Package("v1"));
        await using var agent = new TestAgent(
            fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=a", configure: o => o.DownloadStallTimeout = TimeSpan.FromSeconds(1));
        await agent.StartAsync();

        await fleet.SetDesiredStateAsync(agent.DeviceId!, "crack-detector:v1");

        await Eventually.HoldsAsync(() => Task.FromResult(agent.ActiveModel), m => m == "crack-detector:v1", TimeSpan.FromSeconds(60), "the agent to load v1 despite the stalled download");
        Assert.True(tap.Downloads >= 2, $"{tap.Downloads} download calls");
        Assert.True(fleet.Services.GetRequiredService<DownloadStats>().Resumed >= 1, "the second download did not continue from an offset");
        await agent.StopAsync();
        await fleet.StopAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task A_download_the_server_breaks_off_is_retried_from_its_offset_without_failing_the_update()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-broken-" + Guid.NewGuid().ToString("N")[..10]);
        var tap = new DeviceCallTap
        {
            // The first download sends two chunks, then the server gives up on it (as a restarting server does).
            Pace = (_, call, chunk, _) => call == 1 && chunk >= 2 ? throw new RpcException(new Status(StatusCode.Unavailable, "going away")) : Task.CompletedTask,
        };
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"), services =>
        {
            tap.AddTo(services);
            services.Configure<SyncOptions>(o => o.DownloadChunkBytes = 8 * 1024);
        });
        await fleet.PushAsync(RepoPaths.Package("v1"));
        await using var agent = new TestAgent(fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=a");
        await agent.StartAsync();

        await fleet.SetDesiredStateAsync(agent.DeviceId!, "crack-detector:v1");

        await Eventually.HoldsAsync(() => fleet.DeviceAsync(agent.DeviceId!), d => d.State == DeviceModelState.Active, TimeSpan.FromSeconds(60), "the device to report v1 active");
        Assert.True(tap.Downloads >= 2, $"{tap.Downloads} download calls");
        Assert.DoesNotContain(tap.Reports, r => r.State == DeviceModelState.Failed);
        await agent.StopAsync();
        await fleet.StopAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task A_trickling_download_is_given_up_at_its_deadline_and_reported()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-trickle-" + Guid.NewGuid().ToString("N")[..10]);
        var tap = new DeviceCallTap
        {
            // Never silent long enough to look stalled, never fast enough to finish: 4 KB every 200 ms.
            Pace = (_, _, _, cancellation) => Task.Delay(200, cancellation),
        };
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"), services =>
        {
            tap.AddTo(services);
            services.Configure<SyncOptions>(o => o.DownloadChunkBytes = 4 * 1024);
        });
        var model = await fleet.PushAsync(RepoPaths.Package("v1"));
        await using var agent = new TestAgent(
            fleet.GrpcAddress,
            await fleet.TokenAsync(),
            Path.Combine(root, "agent"),
            "site=a",
            configure: o =>
            {
                o.DownloadStallTimeout = TimeSpan.FromSeconds(1);
                o.DownloadDeadline = TimeSpan.FromSeconds(2);
            });
        await agent.StartAsync();

        await fleet.SetDesiredStateAsync(agent.DeviceId!, "crack-detector:v1");

        var failed = await Eventually.HoldsAsync(
            () => Task.FromResult(tap.Reports.FirstOrDefault(r => r.State == DeviceModelState.Failed)), r => r is not null, TimeSpan.FromSeconds(60), "the update to fail at its deadline");
        Assert.Contains("did not finish within", failed!.Reason, StringComparison.Ordinal);
        Assert.InRange(failed.BytesDownloaded, 1, model.BundleSize - 1);
        Assert.Null(agent.ActiveModel);
        await agent.StopAsync();
        await fleet.StopAsync();
        Directory.Delete(root, recursive: true);
    }
}
