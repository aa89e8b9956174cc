using EdgeMl.Agent.Capture;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Messaging;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Sync;
using EdgeMl.Agent.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>A real agent host in the test process: enrols over gRPC, follows its desired state, swaps models. Stopping it takes the device offline.</summary>
internal sealed class TestAgent : IAsyncDisposable
{
    private readonly AgentOptions _options;
    private readonly TimeProvider? _time;
    private readonly ExecutionProviderKind _provider;
    private readonly Action<IServiceCollection>? _services;
    private IHost? _host;

    public TestAgent(string server, string token, string data, string tags, string? trustedCertificate = null, string? input = null, Action<AgentOptions>? configure = null, TimeProvider? time = null, ExecutionProviderKind provider = ExecutionProviderKind.Cpu,
        Action<IServiceCollection>? services = null)
    {
        _time = time;
        _services = services;
        _provider = provider;
        _options = new AgentOptions
        {
            Server = server,
            Token = token,
            DataDirectory = data,
            Tags = tags,
            TrustedCertificate = trustedCertificate,
            Input = input,
            MinBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromSeconds(1),
        };
        configure?.Invoke(_options);
    }

    public string DataDirectory => _options.DataDirectory;

    /// <summary>
    /// An agent that also publishes what it scores: a telemetry aggregate every second through its outbox over MQTT, to the
    /// broker the server named at enrolment unless <paramref name="broker"/> names another. A restart on the same data
    /// directory keeps its identity and does not use the token.
    /// </summary>
    public static TestAgent Publishing(string server, string token, string data, string tags, string? input = null, string? replay = null, double fps = 10, string? broker = null)
    {
        // A short keep-alive, so that the broker notices a lost connection (and publishes the last will) within the tests' patience.
        var settings = new Dictionary<string, string?> { ["Telemetry:Interval"] = "00:00:01", ["Mqtt:Broker"] = broker, ["Mqtt:KeepAlive"] = "00:00:02" };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new TestAgent(
            server, token, data, tags, input: input,
            configure: o =>
            {
                o.Replay = replay;
                o.Fps = fps;
            },
            services: s => s.AddOutbox(configuration, data).AddTelemetry(configuration).AddMessaging(configuration));
    }

    public string? DeviceId => DeviceIdentity.Load(_options.DataDirectory)?.DeviceId;

    public ModelHolder Models => _host!.Services.GetRequiredService<ModelHolder>();

    public FrameCounters Counters => _host!.Services.GetRequiredService<FrameCounters>();

    public FleetSync Sync => _host!.Services.GetRequiredService<FleetSync>();

    public StatusReporter Reporter => _host!.Services.GetRequiredService<StatusReporter>();

    public IServiceProvider Services => _host!.Services;

    public string? ActiveModel => _host?.Services.GetRequiredService<ModelHolder>().Current?.Active.Manifest.Id;

    public async Task StartAsync()
    {
        _host = AgentHost.Build(_options, new InferenceOptions { ExecutionProvider = _provider, Workers = 1, WarmupRuns = 1 }, _time, _services);
        await _host.Services.GetRequiredService<DeviceEnrolment>().EnsureAsync(CancellationToken.None);
        await _host.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
            _host = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
