using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Cli;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace EdgeMl.Fleet.Tests.Hosting;

public sealed class MessageLimitsTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-limits-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;
    private GrpcChannel _channel = null!;
    private DeviceService.DeviceServiceClient _devices = null!;

    public async Task InitializeAsync()
    {
        _fleet = await TestFleet.StartAsync(_root);
        _channel = GrpcChannel.ForAddress(_fleet.GrpcAddress, new GrpcChannelOptions { MaxSendMessageSize = null });
        _devices = new DeviceService.DeviceServiceClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Oversize_enrol_is_refused_with_ResourceExhausted_and_the_server_stays_up()
    {
        var huge = new EnrolRequest { Token = "anonymous", Hostname = new string('x', 4 * 1024 * 1024) };

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await _devices.EnrolAsync(huge));
        var enrolled = await _devices.EnrolAsync(new EnrolRequest { Token = await _fleet.TokenAsync(), Hostname = "cam-1" });

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.StartsWith("dev-", enrolled.DeviceId, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MethodType.Unary, "ReportStatus")]
    [InlineData(MethodType.ServerStreaming, "WatchDesiredState")]
    public async Task Oversize_device_requests_are_refused_before_authentication(MethodType type, string name)
    {
        // Raw bytes: the server measures a message before it parses (or authenticates) anything.
        var raw = Marshallers.Create<byte[]>(b => b, b => b);
        var method = new Method<byte[], byte[]>(type, "edgeml.fleet.v1.DeviceService", name, raw, raw);
        var payload = new byte[1024 * 1024];

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            if (type == MethodType.Unary)
            {
                await _channel.CreateCallInvoker().AsyncUnaryCall(method, null, default, payload);
            }
            else
            {
                using var call = _channel.CreateCallInvoker().AsyncServerStreamingCall(method, null, default, payload);
                await call.ResponseStream.MoveNext();
            }
        });

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
    }

    [Fact]
    public async Task Enrol_with_tags_over_their_caps_is_refused()
    {
        var request = new EnrolRequest { Token = await _fleet.TokenAsync() };
        for (var i = 0; i < 40; i++)
        {
            request.Tags[$"tag{i}"] = "v";
        }

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await _devices.EnrolAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("40 tags", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_streams_a_model_larger_than_any_one_message()
    {
        var model = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Package("v1"), "manifest.json")))!;
        manifest["version"] = "v1-large";
        manifest["sha256"] = ModelPackage.Hash(model);
        using var stream = new MemoryStream(model);

        var pushed = await ModelUpload.PushAsync(_fleet.Admin, System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()), stream, CancellationToken.None);

        Assert.Equal("v1-large", pushed.Version);
        Assert.True(pushed.BundleSize > model.Length);
    }

    [Fact]
    public async Task A_push_message_over_the_admin_limit_is_refused()
    {
        using var call = _fleet.Admin.PushModel();

        // The refusal can end the call while the client still writes: the write then fails with a local status,
        // so the server's answer is read from the response either way.
        try
        {
            await call.RequestStream.WriteAsync(new PushModelRequest { ModelOnnx = ByteString.CopyFrom(new byte[2 * 1024 * 1024]) });
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
    }
}
