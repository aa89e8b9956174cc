using System.Text.Json.Nodes;
using EdgeMl.Fleet.Cli;
using EdgeMl.Fleet.Devices;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Protos.Fleet;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>
/// A real fleet server in the test process on loopback ports, with an admin client; it can be stopped and started again on the same data.
/// The first start binds port 0 and reads the OS's choice back; a restart binds the same ports again, so agents find it where it was.
/// </summary>
internal sealed class TestFleet : IAsyncDisposable
{
    private readonly Action<IServiceCollection>? _configure;
    private readonly TimeProvider? _time;
    private WebApplication? _app;
    private GrpcChannel? _channel;

    private TestFleet(string data, Action<IServiceCollection>? configure, TestCertificate? tls, string? postgres, TimeProvider? time, string bind, string? mqttBroker)
    {
        _configure = configure;
        _time = time;
        Tls = tls;
        Options = new FleetServerOptions
        {
            DataDirectory = data,
            GrpcPort = 0,
            HttpPort = 0,
            MqttPort = 0,
            Bind = bind,
            CertificatePath = tls?.CertificatePath,
            CertificateKeyPath = tls?.KeyPath,
            Postgres = postgres,
            MqttBroker = mqttBroker,
        };
    }

    public TestCertificate? Tls { get; }

    public FleetServerOptions Options { get; }

    public string GrpcAddress => Tls is null ? $"http://127.0.0.1:{Options.GrpcPort}" : $"https://localhost:{Options.GrpcPort}";

    public string HttpAddress => $"http://127.0.0.1:{Options.HttpPort}";

    public string AdminToken { get; private set; } = "";

    public AdminService.AdminServiceClient Admin { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public static async Task<TestFleet> StartAsync(
        string data, Action<IServiceCollection>? configure = null, TestCertificate? tls = null, string? postgres = null, TimeProvider? time = null, string bind = "127.0.0.1",
        string? mqttBroker = null)
    {
        var fleet = new TestFleet(data, configure, tls, postgres, time, bind, mqttBroker);
        await fleet.StartAsync();
        return fleet;
    }

    public async Task StartAsync()
    {
        _app = await FleetServerHost.BuildAsync(Options, _time, _configure);
        await _app.StartAsync();
        var bound = _app.Services.GetRequiredService<ListeningEndpoints>();
        Options.GrpcPort = bound.Grpc.Port;
        Options.HttpPort = bound.Http.Port;
        Options.MqttPort = bound.Mqtt?.Port ?? Options.MqttPort;
        var token = AdminToken = (await File.ReadAllTextAsync(Path.Combine(Options.DataDirectory, "admin.token"))).Trim();
        _channel = GrpcChannel.ForAddress(GrpcAddress, new GrpcChannelOptions { HttpHandler = Tls?.TrustingHandler() ?? new SocketsHttpHandler() });
        Admin = new AdminService.AdminServiceClient(_channel.Intercept(m =>
        {
            m.Add("authorization", "Bearer " + token);
            return m;
        }));
    }

    public async Task StopAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async Task<ModelInfo> PushAsync(string packageDirectory) => await ModelUpload.PushDirectoryAsync(Admin, packageDirectory, CancellationToken.None);

    /// <summary>Pushes a copy of a bundled package under another version, with <paramref name="edit"/> applied to its manifest.</summary>
    public async Task<ModelInfo> PushVariantAsync(string baseVersion, string version, Action<JsonObject>? edit = null)
    {
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Package(baseVersion), "manifest.json")))!.AsObject();
        manifest["version"] = version;
        edit?.Invoke(manifest);
        await using var model = File.OpenRead(Path.Combine(RepoPaths.Package(baseVersion), "model.onnx"));
        return await ModelUpload.PushAsync(Admin, System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()), model, CancellationToken.None);
    }

    /// <summary>Writes a device's desired state directly, as the rollout engine does, and pushes it to the device if it is connected.</summary>
    public async Task<long> SetDesiredStateAsync(string deviceId, string? activeModel, bool rollback = false)
    {
        var states = await Services.GetRequiredService<FleetStores>().DesiredStates.SetManyAsync(
            [new DesiredStateChange(deviceId, activeModel, null, null, rollback, false)], DateTimeOffset.UtcNow, CancellationToken.None);
        await Services.GetRequiredService<DesiredStateHub>().PublishAsync(states, CancellationToken.None);
        return states[0].Revision;
    }

    public async Task<DeviceInfo> DeviceAsync(string deviceId) => (await DevicesAsync()).Single(d => d.DeviceId == deviceId);

    /// <summary>A device enrolled straight through the server's enrolment, for tests that speak MQTT as it.</summary>
    public async Task<Enrolment.Enrolled> EnrolAsync(string hostname = "host")
    {
        var enrolment = Services.GetRequiredService<Enrolment>();
        var (token, _) = await enrolment.IssueTokenAsync(TimeSpan.FromMinutes(10), "test", CancellationToken.None);
        return await enrolment.EnrolAsync(token, new Dictionary<string, string>(), hostname, "test", [], CancellationToken.None)
            ?? throw new InvalidOperationException("enrolment refused a fresh token");
    }

    public async Task<string> TokenAsync() => (await Admin.CreateEnrolmentTokenAsync(new CreateEnrolmentTokenRequest { TtlSeconds = 600 })).Token;

    public async Task<RolloutStatus> RolloutAsync(string id) => await Admin.GetRolloutAsync(new GetRolloutRequest { RolloutId = id });

    public async Task<RolloutStatus> WaitForRolloutAsync(string id, string state, TimeSpan? timeout = null) =>
        await Eventually.HoldsAsync(() => RolloutAsync(id), r => r.State == state, timeout ?? TimeSpan.FromSeconds(60), $"rollout {id} to be {state}");

    public async Task<IReadOnlyList<DeviceInfo>> DevicesAsync() => (await Admin.ListDevicesAsync(new ListDevicesRequest())).Devices;

    public async ValueTask DisposeAsync() => await StopAsync();
}
