using System.Net.Sockets;
using EdgeMl.Fleet.Messaging;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Hosting;

/// <summary>Healthy when the embedded broker runs, or the external one accepts a TCP connection.</summary>
internal sealed class BrokerHealthCheck(IOptions<FleetServerOptions> options, TimeProvider time, EmbeddedBroker? embedded = null) : IHealthCheck
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (embedded is not null)
        {
            return embedded.IsRunning ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("the embedded MQTT broker is not running");
        }

        var broker = new Uri(options.Value.MqttBroker!);
        using var timeout = new CancellationTokenSource(ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(broker.Host, broker.Port > 0 ? broker.Port : 1883, linked.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return HealthCheckResult.Unhealthy($"MQTT broker {broker.Authority} does not accept connections: {e.Message}");
        }
    }
}
