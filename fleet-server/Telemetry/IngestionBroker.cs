using System.Net;
using System.Security.Cryptography.X509Certificates;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Messaging;
using MQTTnet;
using MQTTnet.Formatter;

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

    public MqttClientOptions Options(string clientId, TimeSpan sessionExpiry)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCredentials(MqttServerCredential.UserName, credential.Password)
            // A persistent session: what the broker delivered and ingestion had not yet stored is delivered again after a reconnect.
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)sessionExpiry.TotalSeconds)
            .WithReceiveMaximum(ushort.MaxValue);
        if (external is not null)
        {
            var tls = external.Scheme == "mqtts";
            builder.WithTcpServer(external.Host, external.Port > 0 ? external.Port : tls ? 8883 : 1883).WithTlsOptions(o => o.UseTls(tls));
            return builder.Build();
        }

        var embedded = endpoints.Mqtt ?? throw new InvalidOperationException("the embedded MQTT broker is not listening yet");
        var loopback = embedded.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : embedded.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : embedded.Address;
        builder.WithTcpServer(loopback.ToString(), embedded.Port);
        if (certificate is not null)
        {
            // Our own broker, reached by address rather than by the certificate's name: trust exactly its certificate.
            builder.WithTlsOptions(o => o.UseTls().WithCertificateValidationHandler(e => e.Certificate?.GetCertHashString() == certificate.GetCertHashString()));
        }

        return builder.Build();
    }
}
