using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Messaging;

namespace EdgeMl.Fleet.Telemetry;

/// <summary>
/// The broker ingestion reads from: the embedded one over loopback (its own certificate pinned when it runs TLS), or the
/// external one of <c>--mqtt-broker</c>, read through a shared subscription so that replicas split the devices' messages.
/// </summary>
internal sealed class IngestionBroker(Uri? external, ListeningEndpoints endpoints, X509Certificate2? certificate, MqttServerCredential credential)
{
    /// <summary>True with an external broker: several replicas read the same topics and each message goes to one of them.</summary>
    public bool Shared => external is not null;

    /// <summary>True with the embedded broker: it hands device telemetry to <see cref="IngestionQueue"/> in-process, so no connection reads it.</summary>
    public bool HandsOverTelemetry => external is null;

    public string Describe() => external?.Authority ?? $"embedded {endpoints.Mqtt}";

    /// <summary>The filter for one kind of device topic, shared between replicas where they share the load.</summary>
    public string Filter(string name, bool share) =>
        share && Shared ? TelemetryTopics.Shared(Contracts.Telemetry.DeviceTopics.EveryDevice(name)) : Contracts.Telemetry.DeviceTopics.EveryDevice(name);

    public string Password => credential.Password;

    /// <summary>A connection to the broker, over TLS where it runs TLS; the caller owns the stream.</summary>
    public async Task<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        string host;
        int port;
        bool tls;
        if (external is not null)
        {
            tls = external.Scheme == "mqtts";
            (host, port) = (external.Host, external.Port > 0 ? external.Port : tls ? 8883 : 1883);
        }
        else
        {
            var embedded = endpoints.Mqtt ?? throw new InvalidOperationException("the embedded MQTT broker is not listening yet");
            var loopback = embedded.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : embedded.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : embedded.Address;
            (host, port, tls) = (loopback.ToString(), embedded.Port, certificate is not null);
        }

        // PUBACKs go out as soon as a batch is stored; Nagle would hold them back for the broker's delayed ACK.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream stream;
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        if (!tls)
        {
            return stream;
        }

        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            var authentication = new SslClientAuthenticationOptions { TargetHost = host };
            if (external is null)
            {
                // Our own broker, reached by address rather than by the certificate's name: trust exactly its certificate.
                authentication.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate!.GetCertHashString();
            }

            await ssl.AuthenticateAsClientAsync(authentication, cancellationToken);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }
}
