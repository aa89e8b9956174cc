using System.Security.Cryptography.X509Certificates;
using EdgeMl.Agent.Sync;
using EdgeMl.Contracts.Telemetry;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeMl.Agent.Messaging;

/// <summary>How the device connects: its enrolment credentials (user name and client id = device id), MQTT 5, the retained offline status as last will, TLS as the fleet connection trusts it.</summary>
internal sealed class MqttConnectionFactory(IOptions<MqttOptions> options, IOptions<AgentOptions> agent) : IDisposable
{
    private static readonly TimeSpan PacketTimeout = TimeSpan.FromSeconds(10);

    private readonly X509Certificate2? _trusted = agent.Value.TrustedCertificate is { } path ? X509CertificateLoader.LoadCertificateFromFile(path) : null;

    public static DeviceStatus Status(bool online, DateTimeOffset since) =>
        new() { Online = online, Since = Timestamp.FromDateTimeOffset(since), AgentVersion = AgentVersion.Current };

    public MqttClientOptions Options(DeviceIdentity identity, BrokerAddress broker, DateTimeOffset connectedAt)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(identity.DeviceId)
            .WithCredentials(identity.DeviceId, identity.Secret)
            // The outbox, not the broker's session, holds what was not acknowledged.
            .WithCleanStart()
            .WithKeepAlivePeriod(options.Value.KeepAlive)
            .WithTimeout(PacketTimeout)
            .WithWillTopic(DeviceTopics.Status(identity.DeviceId))
            .WithWillPayload(Status(online: false, connectedAt).ToByteArray())
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (broker.Tls)
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls();
                if (_trusted is { } root)
                {
                    tls.WithCertificateValidationHandler(e => FleetConnection.TrustedBy(root, e.Certificate, e.SslPolicyErrors));
                }
            });
        }

        return builder.Build();
    }

    public void Dispose() => _trusted?.Dispose();
}
