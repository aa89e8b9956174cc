using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace EdgeMl.Agent.Metrics;

/// <summary>
/// A minimal Kestrel server inside the agent for <c>GET /metrics</c>, with OpenTelemetry's Prometheus exporter
/// over the <see cref="AgentMetrics.MeterName"/> meter. Its own small app, as the scoring endpoint is, so that
/// either can be on without the other.
/// </summary>
internal sealed partial class MetricsEndpoint(MetricsOptions options, ILogger<MetricsEndpoint> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The port the endpoint listens on once started (the OS's choice when the configured port is 0).</summary>
    public int Port { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(options.Address), options.Port!.Value);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(AgentMetrics.MeterName).AddPrometheusExporter());
        var app = builder.Build();
        app.UseRouting();
        app.MapPrometheusScrapingEndpoint("/metrics");
        await app.StartAsync(cancellationToken);
        _app = app;
        Port = new Uri(app.Urls.First()).Port;
        LogListening(logger, options.Address, Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics endpoint: GET http://{Address}:{Port}/metrics")]
    private static partial void LogListening(ILogger logger, string address, int port);
}
