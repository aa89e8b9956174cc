using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Devices;

/// <summary>Two replicas on one PostgreSQL and one data directory: a revocation on either ends the device's streams and MQTT connection on the other.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplicaRevocationTests(PostgresServer postgres)
{
    [Fact]
    public async Task Revoking_on_one_replica_ends_the_watch_stream_on_the_other()
    {
        await using var replicas = await Replicas.StartAsync(postgres);
        var (first, second) = (replicas.First, replicas.Second);
        using var channel = GrpcChannel.ForAddress(first.GrpcAddress);
        var devices = new DeviceService.DeviceServiceClient(channel);
        var enrolled = await devices.EnrolAsync(new EnrolRequest { Token = await second.TokenAsync(), Hostname = "cam-1" });
        var credentials = new Metadata { { CallerIdentity.DeviceHeader, enrolled.DeviceId }, { "authorization", "Bearer " + enrolled.DeviceSecret } };
        using var watch = devices.WatchDesiredState(new WatchDesiredStateRequest(), credentials);
        var next = watch.ResponseStream.MoveNext();
        await Eventually.HoldsAsync(first.DevicesAsync, d => d.Single().StreamHere, TimeSpan.FromSeconds(30), "the device's watch stream to be open on the first replica");

        await second.Admin.RevokeDeviceAsync(new RevokeDeviceRequest { DeviceId = enrolled.DeviceId });

        var ended = await Assert.ThrowsAsync<RpcException>(async () => await next.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
    }

    [Fact]
    public async Task Revoking_on_one_replica_ends_the_verdict_stream_on_the_other()
    {
        await using var replicas = await Replicas.StartAsync(postgres);
        var (first, second) = (replicas.First, replicas.Second);
        using var channel = GrpcChannel.ForAddress(first.GrpcAddress);
        var (cases, credentials, deviceId) = await TestCases.EnrolAsync(first, channel);
        await cases.UploadCaseAsync(TestCases.Upload("case-1", 1_000), credentials);
        await first.Services.GetRequiredService<FleetStores>().Cases.RecordVerdictAsync("case-1", "ann", "defect", DateTimeOffset.UtcNow, CancellationToken.None);
        using var verdicts = cases.WatchVerdicts(new WatchVerdictsRequest(), credentials);
        // A verdict received: the stream is open on the first replica.
        Assert.True(await verdicts.ResponseStream.MoveNext().WaitAsync(TimeSpan.FromSeconds(30)));

        await second.Admin.RevokeDeviceAsync(new RevokeDeviceRequest { DeviceId = deviceId });

        var ended = await Assert.ThrowsAsync<RpcException>(async () => await verdicts.ResponseStream.MoveNext().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
    }

    [Fact]
    public async Task Revoking_on_one_replica_cuts_the_devices_connection_to_the_other_replicas_embedded_broker()
    {
        await using var replicas = await Replicas.StartAsync(postgres);
        var (first, second) = (replicas.First, replicas.Second);
        var device = await first.EnrolAsync();
        await using var client = await MqttTestClient.ConnectAsync(first.Options.MqttPort, device.DeviceId, device.Secret, device.DeviceId);

        await second.Admin.RevokeDeviceAsync(new RevokeDeviceRequest { DeviceId = device.DeviceId });

        await Eventually.HoldsAsync(() => Task.FromResult(client.IsConnected), connected => !connected, TimeSpan.FromSeconds(30), "the revoked device's connection to the first replica's broker to close");
    }

    /// <summary>
    /// Two replicas on one database and one data directory; the first listens for the second's notices before a test revokes
    /// on the second.
    /// </summary>
    private sealed class Replicas : IAsyncDisposable
    {
        private readonly string _root;

        private Replicas(string root, TestFleet first, TestFleet second)
        {
            _root = root;
            First = first;
            Second = second;
        }

        public TestFleet First { get; }

        public TestFleet Second { get; }

        public static async Task<Replicas> StartAsync(PostgresServer postgres)
        {
            var root = Directory.CreateTempSubdirectory("edgeml-replica-revoke-").FullName;
            var database = (PostgresTestDatabase)await postgres.CreateDatabaseAsync();
            var first = await TestFleet.StartAsync(root, postgres: database.ConnectionString);
            var second = await TestFleet.StartAsync(root, postgres: database.ConnectionString);
            await first.Services.GetRequiredService<DesiredStateListener>().Listening.WaitAsync(TimeSpan.FromSeconds(30));
            return new Replicas(root, first, second);
        }

        public async ValueTask DisposeAsync()
        {
            await First.DisposeAsync();
            await Second.DisposeAsync();
            Directory.Delete(_root, recursive: true);
        }
    }
}
