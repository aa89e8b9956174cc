using System.Net;
using System.Net.Sockets;
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
    private MqttServerTcpEndpointBaseOptions? _endpoint;
    private IPAddress? _address;

    public bool IsRunning => _server?.IsStarted == true;

    /// <summary>The bound address and port (the OS's choice when the configured port is 0); null before start.</summary>
    public IPEndPoint? Endpoint => IsRunning && _address is not null && _endpoint is not null ? new IPEndPoint(_address, _endpoint.Port) : null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var address = IPAddress.Parse(o.Bind);
        // MQTTnet opens an IPv4 and an IPv6 listener, the latter on [::] unless told otherwise:
        // the family that --bind does not name gets no listener at all.
        var v4 = address.AddressFamily == AddressFamily.InterNetwork ? address : IPAddress.None;
        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6 ? address : IPAddress.None;
        var builder = new MqttServerOptionsBuilder();
        if (certificate is null)
        {
            builder.WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(v4).WithDefaultEndpointBoundIPV6Address(v6).WithDefaultEndpointPort(o.MqttPort);
        }
        else
        {
            builder.WithoutDefaultEndpoint().WithEncryptedEndpoint().WithEncryptedEndpointBoundIPAddress(v4).WithEncryptedEndpointBoundIPV6Address(v6)
                .WithEncryptedEndpointPort(o.MqttPort).WithEncryptionCertificate(certificate);
        }

        var serverOptions = builder.Build();
        _endpoint = certificate is null ? serverOptions.DefaultEndpointOptions : serverOptions.TlsEndpointOptions;
        _address = address;
        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
        // MQTTnet writes the port it bound back into the endpoint options.
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
