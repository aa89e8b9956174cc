using System.Net;
using System.Security.Cryptography.X509Certificates;
using EdgeMl.Fleet.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace EdgeMl.Fleet.Messaging;

/// <summary>The MQTT broker inside the server (MQTTnet), so a one-machine fleet needs nothing else.</summary>
internal sealed class EmbeddedBroker(IOptions<FleetServerOptions> options, X509Certificate2? certificate) : IHostedService, IDisposable
{
    private MqttServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var builder = new MqttServerOptionsBuilder();
        var address = IPAddress.Parse(o.Bind);
        if (certificate is null)
        {
            builder.WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(address).WithDefaultEndpointPort(o.MqttPort);
        }
        else
        {
            builder.WithoutDefaultEndpoint().WithEncryptedEndpoint().WithEncryptedEndpointBoundIPAddress(address)
                .WithEncryptedEndpointPort(o.MqttPort).WithEncryptionCertificate(certificate);
        }

        _server = new MqttServerFactory().CreateMqttServer(builder.Build());
        await _server.StartAsync();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync();
        }
    }

    public void Dispose() => _server?.Dispose();
}
