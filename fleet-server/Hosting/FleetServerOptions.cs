namespace EdgeMl.Fleet.Hosting;

/// <summary>Everything <c>serve</c> needs; from flags, the <c>Fleet</c> section, or <c>EDGEML_FLEET__*</c>.</summary>
internal sealed class FleetServerOptions
{
    public const string Section = "Fleet";

    public string DataDirectory { get; set; } = "fleet-data";

    public int GrpcPort { get; set; } = 7400;

    public int HttpPort { get; set; } = 7401;

    public int MqttPort { get; set; } = 1883;

    /// <summary>Address to listen on; loopback unless deliberately opened.</summary>
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>PEM certificate (with <see cref="CertificateKeyPath"/>) that turns on TLS for gRPC, HTTP and MQTT.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificateKeyPath { get; set; }

    /// <summary>PostgreSQL connection string; SQLite in the data directory when absent.</summary>
    public string? Postgres { get; set; }

    /// <summary>External broker (mqtt://host:port) instead of the embedded one.</summary>
    public string? MqttBroker { get; set; }

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

        if (MqttBroker is not null && !(Uri.TryCreate(MqttBroker, UriKind.Absolute, out var broker) && broker.Scheme is "mqtt" or "mqtts"))
        {
            yield return $"--mqtt-broker '{MqttBroker}' is not a URL such as mqtt://host:1883 (mqtts:// for TLS)";
        }
    }
}
