using EdgeMl.Contracts.Configuration;

namespace EdgeMl.Fleet.Hosting;

/// <summary>Everything <c>serve</c> needs; from flags, the <c>Fleet</c> section, or <c>EDGEML_FLEET__*</c>.</summary>
internal sealed class FleetServerOptions
{
    public const string Section = "Fleet";

    /// <summary>SQLite database, artifacts, keys and tokens.</summary>
    [CommandLineFlag("--data")]
    public string DataDirectory { get; set; } = "fleet-data";

    /// <summary>gRPC (HTTP/2) port for devices and admin tools; 0 takes a free port, printed at start.</summary>
    [CommandLineFlag("--grpc-port")]
    public int GrpcPort { get; set; } = 7400;

    /// <summary>HTTP port for pages, JSON, /metrics and /healthz.</summary>
    [CommandLineFlag("--http-port")]
    public int HttpPort { get; set; } = 7401;

    /// <summary>Port of the embedded MQTT broker.</summary>
    [CommandLineFlag("--mqtt-port")]
    public int MqttPort { get; set; } = 1883;

    /// <summary>Address to listen on; loopback unless deliberately opened.</summary>
    [CommandLineFlag("--bind")]
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>PEM certificate (with <see cref="CertificateKeyPath"/>) that turns on TLS for gRPC, HTTP and MQTT.</summary>
    [CommandLineFlag("--cert")]
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="CertificatePath"/>.</summary>
    [CommandLineFlag("--cert-key")]
    public string? CertificateKeyPath { get; set; }

    /// <summary>PostgreSQL connection string; SQLite in the data directory when absent.</summary>
    [CommandLineFlag("--postgres")]
    public string? Postgres { get; set; }

    /// <summary>External broker (mqtt://host:port) instead of the embedded one.</summary>
    [CommandLineFlag("--mqtt-broker")]
    public string? MqttBroker { get; set; }

    /// <summary>
    /// Connections of this replica that read telemetry from <see cref="MqttBroker"/>, all in the replicas' share group: one
    /// connection's client and acknowledgements became the bound; the broker spreads the messages over them.
    /// </summary>
    [CommandLineFlag("--mqtt-ingest-connections")]
    public int MqttIngestConnections { get; set; } = 4;

    public IEnumerable<string> Validate()
    {
        foreach (var (name, port) in new[] { ("grpc-port", GrpcPort), ("http-port", HttpPort), ("mqtt-port", MqttPort) })
        {
            if (port is < 0 or > 65535)
            {
                yield return $"--{name} {port} is not a TCP port";
            }
        }

        if (!System.Net.IPAddress.TryParse(Bind, out _))
        {
            yield return $"--bind '{Bind}' is not an IP address";
        }

        if ((CertificatePath is null) != (CertificateKeyPath is null))
        {
            yield return "--cert and --cert-key go together";
        }

        if (MqttIngestConnections is < 1 or > 64)
        {
            yield return $"--mqtt-ingest-connections {MqttIngestConnections} is not between 1 and 64";
        }

        if (MqttBroker is not null && !(Uri.TryCreate(MqttBroker, UriKind.Absolute, out var broker) && broker.Scheme is "mqtt" or "mqtts"))
        {
            yield return $"--mqtt-broker '{MqttBroker}' is not a URL such as mqtt://host:1883 (mqtts:// for TLS)";
        }
    }
}
