using System.Collections.Concurrent;
using System.Diagnostics;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace EdgeMl.Fleet.Tests.Sync;

public sealed class UpdateCancellationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_rollback_that_arrives_mid_download_cancels_it_and_the_cancelled_version_never_goes_live()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-cancel-" + Guid.NewGuid().ToString("N")[..10]);
        var tap = new DeviceCallTap
        {
            // The v2 download sends one chunk, then holds the stream open for as long as the device waits.
            Pace = (request, _, chunk, cancellation) => request.Version == "v2" && chunk >= 1 ? Task.Delay(Timeout.Infinite, cancellation) : Task.CompletedTask,
        };
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"), services =>
        {
            tap.AddTo(services);
            services.Configure<SyncOptions>(o => o.DownloadChunkBytes = 8 * 1024);
        });
        await fleet.PushAsync(RepoPaths.Package("v1"));
        await fleet.PushAsync(RepoPaths.Package("v2"));
        await using var agent = new TestAgent(fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=a");
        await agent.StartAsync();
        var device = agent.DeviceId!;
        await fleet.SetDesiredStateAsync(device, "crack-detector:v1");
        await Eventually.HoldsAsync(() => Task.FromResult(agent.ActiveModel), m => m == "crack-detector:v1", TimeSpan.FromSeconds(30), "the agent to load v1");
        var swapped = new ConcurrentQueue<string>();
        agent.Models.Swapped += set => swapped.Enqueue(set.Active.Manifest.Id);

        await fleet.SetDesiredStateAsync(device, "crack-detector:v2");
        await Eventually.HoldsAsync(() => Task.FromResult(tap.Reports), r => r.Any(s => s.ModelVersion == "v2" && s.State == DeviceModelState.Downloading), TimeSpan.FromSeconds(30), "the v2 download to start");
        var clock = Stopwatch.StartNew();
        var rollback = await fleet.SetDesiredStateAsync(device, "crack-detector:v1", rollback: true);

        await Eventually.HoldsAsync(
            () => Task.FromResult(tap.Reports),
            r => r.Any(s => s.Revision == (ulong)rollback && s.ModelVersion == "v1" && s.State == DeviceModelState.Active),
            TimeSpan.FromSeconds(30),
            "the device to report v1 active for the rollback");
        // A figure, not a gate: from the rollback written to its report seen (polled every 100 ms).
        output.WriteLine($"rollback took effect and was reported within {clock.ElapsedMilliseconds} ms");
        Assert.Equal("crack-detector:v1", agent.ActiveModel);
        Assert.Empty(swapped);
        Assert.DoesNotContain(tap.Reports, s => s.ModelVersion == "v2" && s.State is DeviceModelState.Verifying or DeviceModelState.Warming or DeviceModelState.Active);
        // The abandoned partial download of v2 is removed once the rollback is applied.
        await Eventually.HoldsAsync(
            () => Task.FromResult(Directory.GetFiles(Path.Combine(agent.DataDirectory, "downloads")).Length), n => n == 0, TimeSpan.FromSeconds(10), "the v2 partial download to be removed");
        await agent.StopAsync();
        await fleet.StopAsync();
        Directory.Delete(root, recursive: true);
    }
}
