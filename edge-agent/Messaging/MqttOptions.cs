namespace EdgeMl.Agent.Messaging;

/// <summary>The <c>Mqtt</c> section: where the agent publishes telemetry, status and events.</summary>
public sealed class MqttOptions
{
    public const string Section = "Mqtt";

    /// <summary>
    /// The MQTT broker (mqtt://host:port, mqtts:// for TLS) instead of the one the server named at enrolment; for a device
    /// that reaches the broker by another address than the server does, or one enrolled before servers named a broker.
    /// </summary>
    public string? Broker { get; set; }

    /// <summary>How long the connection may stay quiet before the agent pings the broker to find out whether it is still there.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);
}
