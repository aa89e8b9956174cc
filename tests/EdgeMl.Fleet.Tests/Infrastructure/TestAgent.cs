using EdgeMl.Agent.Capture;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Sync;
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
