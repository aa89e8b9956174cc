using EdgeMl.Agent.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace EdgeMl.Agent.Metrics;

/// <summary>
/// The agent's <c>GET /metrics</c>: OpenTelemetry's Prometheus exporter over the <see cref="AgentMetrics.MeterName"/> meter.
/// </summary>
internal sealed partial class MetricsEndpoint(MetricsOptions options, ILogger<MetricsEndpoint> logger) : SmallHttpServer(options.Address, options.Port!.Value)
{
    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(AgentMetrics.MeterName).AddPrometheusExporter());

    protected override void Map(WebApplication app) => app.MapPrometheusScrapingEndpoint("/metrics");

    protected override void Listening(int port) => LogListening(logger, options.Address, port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics endpoint: GET http://{Address}:{Port}/metrics")]
    private static partial void LogListening(ILogger logger, string address, int port);
}
