using EdgeMl.Agent.Sync;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Faults;

/// <summary>Model bytes corrupted on the wire, in the server's artifact store and on the device's disk: each caught by hash or signature, none ever scores.</summary>
[Collection(FaultCollection.Name)]
[Trait("Category", "FaultInjection")]
public sealed class CorruptModelTests(FaultLedger ledger)
{
    private const int WireFlips = 12;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_byte_flipped_on_the_wire_never_becomes_the_running_model()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-flip-" + Guid.NewGuid().ToString("N")[..10]);
        var data = Path.Combine(root, "agent");
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"), services => services.Configure<SyncOptions>(o => o.DownloadChunkBytes = 16 * 1024));
        var bundle = (await fleet.PushVariantAsync("v2", "v2-f0")).BundleSize;
        var token = await fleet.TokenAsync();
        var random = new Random(Environment.TickCount);
        string? device = null;
        for (var flip = 0; flip <= WireFlips; flip++)
        {
            var version = $"v2-f{flip}";
            if (flip > 0)
            {
                await fleet.PushVariantAsync("v2", version);
            }

            // Offsets over the whole exchange: enrolment, the watch stream, the signed state, every chunk of the bundle.
            await using var proxy = new FaultyProxy(fleet.Options.GrpcPort, cutAfterBytes: random.NextInt64(0, bundle + (32 * 1024)), flipInstead: true);
            await using var agent = new TestAgent(proxy.Address, token, data, "site=faults");
            await agent.StartAsync();
            device ??= agent.DeviceId!;
            await fleet.SetDesiredStateAsync(device, $"crack-detector:{version}");
            await Eventually.HoldsAsync(() => fleet.DeviceAsync(device), d => d.State == DeviceModelState.Active && d.ActiveModel == $"crack-detector:{version}", Patience, $"{version} to arrive intact in the end");
            var verified = InstalledModelCheck.VerifiedActiveVersion(data);
            await agent.StopAsync();
            if (proxy.HasCut)
            {
                ledger.Record("model bytes flipped on the wire", verified == version);
            }

            Assert.Equal(version, verified);
        }
    }

    [Fact]
    public async Task A_damaged_bundle_in_the_artifact_store_is_refused_by_the_device_which_keeps_its_model()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-rot-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"));
        await fleet.PushAsync(RepoPaths.Package("v1"));
        await fleet.PushAsync(RepoPaths.Package("v2"));
        await using var agent = new TestAgent(fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=faults");
        await agent.StartAsync();
        var device = agent.DeviceId!;
        await fleet.SetDesiredStateAsync(device, "crack-detector:v1");
        await Eventually.HoldsAsync(() => fleet.DeviceAsync(device), d => d.ActiveModel == "crack-detector:v1" && d.State == DeviceModelState.Active, Patience, "v1 active");

        var path = fleet.Services.GetRequiredService<ArtifactStore>().PathOf("crack-detector", "v2");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);
        await fleet.SetDesiredStateAsync(device, "crack-detector:v2");
        var refused = await Eventually.HoldsAsync(() => fleet.DeviceAsync(device), d => d.State == DeviceModelState.Failed, Patience, "the device to refuse the damaged v2");

        var kept = agent.ActiveModel == "crack-detector:v1" && InstalledModelCheck.VerifiedActiveVersion(agent.DataDirectory) == "v1";
        ledger.Record("model bytes damaged in the server's artifact store", kept);
        Assert.True(kept, $"the device runs {agent.ActiveModel} after refusing: {refused.Reason}");
        Assert.Matches("(?i)hash|signature|sha-256", refused.Reason);
    }

    [Fact]
    public async Task A_model_damaged_on_the_device_disk_is_not_loaded_at_restart_and_is_fetched_again()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-disk-rot-" + Guid.NewGuid().ToString("N")[..10]);
        var data = Path.Combine(root, "agent");
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"));
        await fleet.PushAsync(RepoPaths.Package("v1"));
        await fleet.PushAsync(RepoPaths.Package("v2"));
        var token = await fleet.TokenAsync();
        var agent = new TestAgent(fleet.GrpcAddress, token, data, "site=faults");
        await agent.StartAsync();
        var device = agent.DeviceId!;
        foreach (var version in new[] { "v1", "v2" })
        {
            await fleet.SetDesiredStateAsync(device, $"crack-detector:{version}");
            await Eventually.HoldsAsync(() => fleet.DeviceAsync(device), d => d.ActiveModel == $"crack-detector:{version}" && d.State == DeviceModelState.Active, Patience, $"{version} active");
        }

        await agent.StopAsync();
        var model = Path.Combine(InstalledModelCheck.ModelFolder(data, LocalModelState.Load(data).Active!), "model.onnx");
        var bytes = await File.ReadAllBytesAsync(model);
        bytes[bytes.Length / 3] ^= 0xFF;
        await File.WriteAllBytesAsync(model, bytes);

        // Restarted while the server is away: it must fall back to the verified copy it kept, not load the damaged one.
        await fleet.StopAsync();
        await using var restarted = new TestAgent(fleet.GrpcAddress, token, data, "site=faults");
        await restarted.StartAsync();
        var fellBack = await Eventually.HoldsAsync(() => Task.FromResult(restarted.ActiveModel), m => m is not null, Patience, "the restarted agent to load a model from disk");
        await fleet.StartAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(InstalledModelCheck.VerifiedActiveVersion(data)), v => v == "v2", Patience, "v2 fetched again and verified");

        var survived = fellBack == "crack-detector:v1";
        ledger.Record("model bytes damaged on the device's disk", survived);
        Assert.Equal("crack-detector:v1", fellBack);
        await agent.DisposeAsync();
    }
}
