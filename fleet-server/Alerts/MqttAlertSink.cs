using System.Net;
using System.Security.Cryptography.X509Certificates;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Storage;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeMl.Fleet.Alerts;

/// <summary>
/// Publishes each alert (QoS 1) on <see cref="TelemetryTopics.Alerts"/> with the server's MQTT account, on the embedded
/// broker or the external one. Alerts are rare, so each is sent on a connection of its own: nothing to keep alive.
/// </summary>
internal sealed class MqttAlertSink(IOptions<FleetServerOptions> options, ListeningEndpoints endpoints, MqttServerCredential credential, TimeProvider time) : IAlertSink
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    public string Name => "MQTT " + TelemetryTopics.Alerts;

    public async Task SendAsync(AlertRecord alert, CancellationToken cancellationToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        using var timeout = new CancellationTokenSource(CallTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        await client.ConnectAsync(ClientOptions(), linked.Token);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(TelemetryTopics.Alerts)
            .WithPayload(AlertJson.Serialize(alert))
            .WithContentType("application/json")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var published = await client.PublishAsync(message, linked.Token);
        if (!published.IsSuccess)
        {
            throw new InvalidOperationException($"the broker refused the alert: {published.ReasonCode} {published.ReasonString}");
        }

        await client.DisconnectAsync(cancellationToken: linked.Token);
    }

    private MqttClientOptions ClientOptions()
    {
        var o = options.Value;
        var builder = new MqttClientOptionsBuilder()
            .WithCredentials(MqttServerCredential.UserName, credential.Password)
            .WithClientId($"{MqttServerCredential.UserName}-alerts-{Guid.NewGuid():N}")
            .WithCleanSession();
        if (o.MqttBroker is not null)
        {
            var broker = new Uri(o.MqttBroker);
            var tls = broker.Scheme == "mqtts";
            return builder.WithTcpServer(broker.Host, broker.Port > 0 ? broker.Port : tls ? 8883 : 1883).WithTlsOptions(t => t.UseTls(tls)).Build();
        }

        var endpoint = endpoints.Mqtt ?? throw new InvalidOperationException("the embedded MQTT broker is not running");
        // Bound to every address: loopback reaches it without leaving the host.
        var address = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : endpoint.Address;
        builder.WithTcpServer(address.ToString(), endpoint.Port);
        if (o.CertificatePath is not null)
        {
            // The embedded broker presents the server's own certificate, whatever name it holds for the loopback address.
            using var own = X509Certificate2.CreateFromPemFile(o.CertificatePath, o.CertificateKeyPath);
            var thumbprint = own.Thumbprint;
            builder.WithTlsOptions(t => t.UseTls().WithCertificateValidationHandler(c => c.Certificate is { } presented
                && string.Equals(presented.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase)));
        }

        return builder.Build();
    }
}
