using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Grpc.Net.Client;

namespace EdgeMl.Fleet.Tests.Sync;

public sealed class EnrolmentTests
{
    [Fact]
    public async Task A_used_token_is_refused_for_a_second_enrolment()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-enrol-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleet = await TestFleet.StartAsync(root);
        using var channel = GrpcChannel.ForAddress(fleet.GrpcAddress);
        var devices = new DeviceService.DeviceServiceClient(channel);
        var token = await fleet.TokenAsync();

        var first = await devices.EnrolAsync(new EnrolRequest { Token = token, Hostname = "line-3-cam" });
        var second = await Assert.ThrowsAsync<RpcException>(async () => await devices.EnrolAsync(new EnrolRequest { Token = token, Hostname = "impostor" }));
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await devices.EnrolAsync(new EnrolRequest { Token = "made-up" }));

        Assert.StartsWith("dev-", first.DeviceId, StringComparison.Ordinal);
        Assert.Equal(32, first.FleetPublicKey.Length);
        Assert.Equal(StatusCode.PermissionDenied, second.StatusCode);
        Assert.Contains("already used", second.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, unknown.StatusCode);
        Assert.Single(await fleet.DevicesAsync());
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task Agent_refuses_a_server_whose_root_key_is_not_the_one_its_token_names()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-pin-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleetA = await TestFleet.StartAsync(Path.Combine(root, "fleet-a"));
        await using var fleetB = await TestFleet.StartAsync(Path.Combine(root, "fleet-b"));
        var tokenA = await fleetA.TokenAsync();
        var tokenB = await fleetB.TokenAsync();
        var fingerprintA = tokenA[(tokenA.LastIndexOf('.') + 1)..];
        // Fleet B plays a server that accepts whatever it is given: it honours the secret, the token names fleet A.
        var pinnedToA = tokenB[..tokenB.LastIndexOf('.')] + "." + fingerprintA;
        await using var agent = new TestAgent(fleetB.GrpcAddress, pinnedToA, Path.Combine(root, "agent"), "site=a");
        await using var unpinned = new TestAgent(fleetA.GrpcAddress, tokenA[..tokenA.LastIndexOf('.')], Path.Combine(root, "unpinned"), "site=a");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(agent.StartAsync);
        var noFleet = await Assert.ThrowsAsync<InvalidOperationException>(unpinned.StartAsync);

        Assert.Equal(
            $"{fleetB.GrpcAddress} is not the fleet this token is for: its root key fingerprint is {tokenB[(tokenB.LastIndexOf('.') + 1)..]}, the token names {fingerprintA}; check --server",
            refused.Message);
        Assert.StartsWith("the enrolment token names no fleet", noFleet.Message, StringComparison.Ordinal);
        Assert.Null(agent.DeviceId);
        Assert.NotEqual(fingerprintA, tokenB[(tokenB.LastIndexOf('.') + 1)..]);
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task Device_calls_without_valid_credentials_are_refused()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-auth-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleet = await TestFleet.StartAsync(root);
        using var channel = GrpcChannel.ForAddress(fleet.GrpcAddress);
        var devices = new DeviceService.DeviceServiceClient(channel);
        var enrolled = await devices.EnrolAsync(new EnrolRequest { Token = await fleet.TokenAsync() });
        var wrongSecret = new Metadata { { "x-edgeml-device", enrolled.DeviceId }, { "authorization", "Bearer not-the-secret" } };

        var error = await Assert.ThrowsAsync<RpcException>(async () => await devices.ReportStatusAsync(new StatusReport(), wrongSecret));
        var admin = await Assert.ThrowsAsync<RpcException>(async () => await new AdminService.AdminServiceClient(channel).ListDevicesAsync(new ListDevicesRequest()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, admin.StatusCode);
        Directory.Delete(root, recursive: true);
    }
}
