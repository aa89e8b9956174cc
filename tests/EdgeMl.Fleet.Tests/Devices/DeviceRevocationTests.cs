using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Devices;

public sealed class DeviceRevocationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2031, 5, 4, 3, 2, 1, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-revoke-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;
    private GrpcChannel _channel = null!;
    private DeviceService.DeviceServiceClient _devices = null!;

    public async Task InitializeAsync()
    {
        // Small chunks: a download is hundreds of messages, most of them still unsent when the client stops reading.
        _fleet = await TestFleet.StartAsync(_root, services => services.Configure<SyncOptions>(o => o.DownloadChunkBytes = 1024), time: new FixedClock(Now));
        _channel = GrpcChannel.ForAddress(_fleet.GrpcAddress);
        _devices = new DeviceService.DeviceServiceClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Revoked_device_is_refused_at_once_and_its_watch_stream_ends()
    {
        var enrolled = await _devices.EnrolAsync(new EnrolRequest { Token = await _fleet.TokenAsync(), Hostname = "cam-1" });
        var credentials = new Metadata { { CallerIdentity.DeviceHeader, enrolled.DeviceId }, { "authorization", "Bearer " + enrolled.DeviceSecret } };
        using var watch = _devices.WatchDesiredState(new WatchDesiredStateRequest(), credentials);
        var next = watch.ResponseStream.MoveNext();
        await Eventually.HoldsAsync(_fleet.DevicesAsync, d => d.Single().StreamHere, TimeSpan.FromSeconds(30), "the device's watch stream to be open");

        await _fleet.Admin.RevokeDeviceAsync(new RevokeDeviceRequest { DeviceId = enrolled.DeviceId });
        var ended = await Assert.ThrowsAsync<RpcException>(async () => await next);
        var report = await Assert.ThrowsAsync<RpcException>(async () => await _devices.ReportStatusAsync(new StatusReport(), credentials));

        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, report.StatusCode);
        Assert.Empty(await _fleet.DevicesAsync());
    }

    [Fact]
    public async Task Revoking_ends_the_devices_open_verdict_stream()
    {
        var (cases, credentials, deviceId) = await TestCases.EnrolAsync(_fleet, _channel);
        await cases.UploadCaseAsync(TestCases.Upload("case-1", 1_000), credentials);
        await _fleet.Services.GetRequiredService<FleetStores>().Cases.RecordVerdictAsync("case-1", "ann", "defect", Now, CancellationToken.None);
        using var verdicts = cases.WatchVerdicts(new WatchVerdictsRequest(), credentials);
        // A verdict received: the stream is open on the server.
        Assert.True(await verdicts.ResponseStream.MoveNext().WaitAsync(Patience));

        await _fleet.Admin.RevokeDeviceAsync(new RevokeDeviceRequest { DeviceId = deviceId });

        var ended = await Assert.ThrowsAsync<RpcException>(async () => await verdicts.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Assert.Contains("revoked", ended.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoking_ends_a_download_in_progress()
    {
        var enrolled = await _devices.EnrolAsync(new EnrolRequest { Token = await _fleet.TokenAsync(), Hostname = "cam-1" });
        var credentials = new Metadata { { CallerIdentity.DeviceHeader, enrolled.DeviceId }, { "authorization", "Bearer " + enrolled.DeviceSecret } };
        var model = await _fleet.PushAsync(RepoPaths.Package("v2"));
        await _fleet.SetDesiredStateAsync(enrolled.DeviceId, $"{model.Name}:{model.Version}");
        using var download = _devices.DownloadModel(new DownloadModelRequest { Name = model.Name, Version = model.Version }, credentials);
        Assert.True(await download.ResponseStream.MoveNext().WaitAsync(Patience));
        var received = (long)download.ResponseStream.Current.Data.Length;

        await _fleet.Admin.RevokeDeviceAsync(new RevokeDeviceRequest { DeviceId = enrolled.DeviceId });

        // What was in flight may still arrive; the rest of the bundle does not.
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await download.ResponseStream.MoveNext().WaitAsync(Patience))
            {
                received += download.ResponseStream.Current.Data.Length;
            }
        });
        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Assert.True(received < model.BundleSize, $"all {model.BundleSize} bytes arrived");
    }

    [Fact]
    public async Task Revoking_an_unknown_device_says_so()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await _fleet.Admin.RevokeDeviceAsync(new RevokeDeviceRequest { DeviceId = "dev-nothere" }));

        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task Audit_names_the_admin_token_and_the_device_that_acted()
    {
        var admin = "admin-" + Secrets.Hash(_fleet.AdminToken)[..8];
        var enrolled = await _devices.EnrolAsync(new EnrolRequest { Token = await _fleet.TokenAsync(), Hostname = "cam-1" });
        await _fleet.Admin.RevokeDeviceAsync(new RevokeDeviceRequest { DeviceId = enrolled.DeviceId });

        var log = (await _fleet.Admin.ListAuditAsync(new ListAuditRequest())).Entries;

        Assert.Equal(admin, log.Single(e => e.Action == "device.token").Actor);
        Assert.Equal(enrolled.DeviceId, log.Single(e => e.Action == "device.enrol").Actor);
        var revoke = log.Single(e => e.Action == "device.revoke");
        Assert.Equal(admin, revoke.Actor);
        Assert.Equal(enrolled.DeviceId, revoke.Subject);
        Assert.Equal(Now.ToUnixTimeMilliseconds(), revoke.AtUnixMs);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
