using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Services;

public sealed class WatchDesiredStateTests
{
    [Fact]
    public async Task A_connected_device_gets_its_state_again_signed_afresh_every_third_of_the_lifetime_also_after_a_change()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-watch-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleet = await TestFleet.StartAsync(root, services => services.Configure<SyncOptions>(o => o.StateLifetime = TimeSpan.FromSeconds(3)));
        using var channel = GrpcChannel.ForAddress(fleet.GrpcAddress);
        var devices = new DeviceService.DeviceServiceClient(channel);
        var enrolled = await devices.EnrolAsync(new EnrolRequest { Token = await fleet.TokenAsync(), Hostname = "cam-1" });
        await fleet.PushAsync(RepoPaths.Package("v1"));
        await fleet.SetDesiredStateAsync(enrolled.DeviceId, "crack-detector:v1");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var credentials = new Metadata { { CallerIdentity.DeviceHeader, enrolled.DeviceId }, { "authorization", "Bearer " + enrolled.DeviceSecret } };
        using var watch = devices.WatchDesiredState(new WatchDesiredStateRequest(), credentials, cancellationToken: deadline.Token);
        var key = (enrolled.DeviceId, fleet.Services.GetRequiredService<FleetKeys>().Signer.PublicKey);

        var first = await NextAsync(watch, key, _ => true, deadline.Token);
        var again = await NextAsync(watch, key, s => s.State.ExpiresAtUnixMs > first.State.ExpiresAtUnixMs, deadline.Token);
        await fleet.SetDesiredStateAsync(enrolled.DeviceId, null);
        // A re-send of the old state may cross the change on its way.
        var changed = await NextAsync(watch, key, s => s.Revision > first.Revision, deadline.Token);
        var changedAgain = await NextAsync(watch, key, s => s.State.ExpiresAtUnixMs > changed.State.ExpiresAtUnixMs, deadline.Token);

        Assert.Equal(first.Revision, again.Revision);
        Assert.Equal(first.Revision + 1, changed.Revision);
        Assert.Null(changed.State.Active);
        Assert.Equal(changed.Revision, changedAgain.Revision);
        await fleet.StopAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task States_published_together_reach_each_connected_stream_under_one_root_signature()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-watch-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleet = await TestFleet.StartAsync(root);
        using var channel = GrpcChannel.ForAddress(fleet.GrpcAddress);
        var devices = new DeviceService.DeviceServiceClient(channel);
        var enrolled = new List<EnrolResponse>();
        foreach (var hostname in new[] { "cam-1", "cam-2", "cam-3" })
        {
            enrolled.Add(await devices.EnrolAsync(new EnrolRequest { Token = await fleet.TokenAsync(), Hostname = hostname }));
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watches = enrolled.Select(e => devices.WatchDesiredState(
            new WatchDesiredStateRequest(),
            new Metadata { { CallerIdentity.DeviceHeader, e.DeviceId }, { "authorization", "Bearer " + e.DeviceSecret } },
            cancellationToken: deadline.Token)).ToList();
        var hub = fleet.Services.GetRequiredService<DesiredStateHub>();
        await Eventually.HoldsAsync(() => Task.FromResult(enrolled.Count(e => hub.IsOnline(e.DeviceId))), n => n == enrolled.Count, TimeSpan.FromSeconds(30), "every stream open");

        var states = await fleet.Services.GetRequiredService<FleetStores>().DesiredStates.SetManyAsync(
            [.. enrolled.Select(e => new DesiredStateChange(e.DeviceId, null, null, null, true, false))], DateTimeOffset.UtcNow, CancellationToken.None);
        await hub.PublishAsync(states, CancellationToken.None);

        // A stream that read the new state from the database as it opened sends it alone first.
        var received = new List<SignedDesiredState>();
        foreach (var watch in watches)
        {
            do
            {
                Assert.True(await watch.ResponseStream.MoveNext(deadline.Token));
            }
            while (watch.ResponseStream.Current.BatchSize == 1);
            received.Add(watch.ResponseStream.Current);
        }

        var signer = fleet.Services.GetRequiredService<FleetKeys>().Signer.PublicKey;
        Assert.Single(received.Select(s => s.BatchSignature).Distinct());
        Assert.All(received, s => Assert.Equal(3UL, s.BatchSize));
        Assert.Equal(enrolled.Select(e => e.DeviceId), received.Select((s, i) => StateBinding.Open(s, enrolled[i].DeviceId, signer, out _)?.DeviceId));
        foreach (var watch in watches)
        {
            watch.Dispose();
        }

        await fleet.StopAsync();
        Directory.Delete(root, recursive: true);
    }

    /// <summary>The next state that <paramref name="wanted"/> accepts, with the revision its binding (signed by the fleet for the device) gives it.</summary>
    private static async Task<(ulong Revision, DesiredState State)> NextAsync(
        AsyncServerStreamingCall<SignedDesiredState> watch, (string DeviceId, byte[] Signer) key, Func<(ulong Revision, DesiredState State), bool> wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Assert.True(await watch.ResponseStream.MoveNext(cancellationToken));
            var signed = watch.ResponseStream.Current;
            var binding = StateBinding.Open(signed, key.DeviceId, key.Signer, out var refusal);
            Assert.Null(refusal);
            var state = (binding!.Revision, DesiredState.Parser.ParseFrom(signed.Payload));
            if (wanted(state))
            {
                return state;
            }
        }
    }
}
