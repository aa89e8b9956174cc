using System.Collections.Immutable;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Escalation;
using EdgeMl.Agent.Explanation;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.LineIo;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Outcomes;
using EdgeMl.Agent.Sync;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>
/// The agent's case machinery alone (outbox, case sink, uploader, verdict watcher, heatmap folder when settings enable it), enrolled with a test fleet: tests hand
/// the sink outcomes directly, without a model or a camera. Stopping and starting it again on the same data is a restart.
/// </summary>
internal sealed class CaseAgent : IAsyncDisposable
{
    private readonly IHost _host;

    private CaseAgent(IHost host) => _host = host;

    public CaseSink Sink => _host.Services.GetRequiredService<CaseSink>();

    public OutboxStore Outbox => _host.Services.GetRequiredService<OutboxStore>();

    public CaseCounters Counters => _host.Services.GetRequiredService<CaseCounters>();

    public long CasesWaiting => Outbox.Held(OutboxKind.Case).Messages;

    /// <summary>Enrols (the server must be up for that) and builds the agent; <see cref="StartAsync"/> starts uploading.</summary>
    public static async Task<CaseAgent> EnrolAsync(TestFleet fleet, string data, PartRouter? router = null, IDictionary<string, string?>? settings = null)
    {
        var options = new AgentOptions
        {
            Server = fleet.GrpcAddress,
            Token = await fleet.TokenAsync(),
            DataDirectory = data,
            MinBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromMilliseconds(500),
        };
        Directory.CreateDirectory(data);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services
            .AddSingleton(Options.Create(options))
            .AddSingleton<FleetConnection>()
            .AddSingleton<FleetTrust>()
            .AddSingleton<DeviceEnrolment>()
            .AddSingleton(new ModelHolder(TimeProvider.System))
            .AddSingleton(new InferenceOptions())
            .AddExplanation(configuration, data)
            .AddOutbox(configuration, data)
            .AddCases(configuration);
        if (router is not null)
        {
            builder.Services.AddSingleton(router);
        }

        var host = builder.Build();
        await host.Services.GetRequiredService<DeviceEnrolment>().EnsureAsync(CancellationToken.None);
        return new CaseAgent(host);
    }

    public Task StartAsync() => _host.StartAsync();

    /// <summary>An escalated (or audited) frame of crack-detector:v1 with a JPEG, as the pipeline hands it to the sinks.</summary>
    public static FrameOutcome Outcome(string frame, Decision decision = Decision.Escalate, long? part = null, double crack = 0.55) => new(
        frame,
        DateTimeOffset.UtcNow,
        new ModelVersionId("crack-detector", "v1"),
        ["ok", "crack"],
        ImmutableArray.Create((float)(1 - crack), (float)crack),
        new Verdict(1, (float)crack, decision, decision == Decision.Audit ? Band.Reject : Band.Escalate, AutomationLevel.Partial),
        default,
        null,
        null,
        "cpu",
        null)
    {
        PartId = part,
        Image = TestCases.Jpeg,
    };

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
