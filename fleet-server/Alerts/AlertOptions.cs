namespace EdgeMl.Fleet.Alerts;

/// <summary>When the server raises alerts and where it sends them; bound from the <c>Alerts</c> section and <c>EDGEML_ALERTS__*</c>.</summary>
internal sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>URL that every raised and cleared alert is POSTed to as JSON; none when absent.</summary>
    public string? Webhook { get; set; }

    /// <summary>Tries per alert and destination (webhook, MQTT) before it is given up and logged.</summary>
    public int DeliveryAttempts { get; set; } = 6;

    /// <summary>Wait before the first retry of a delivery; doubled after each further failure.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the conditions behind offline, stale, latency and escalation alerts are checked.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A device with no report, call or telemetry for this long is offline.</summary>
    public TimeSpan OfflineAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Telemetry window over which a device's latency and escalation rate are judged.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A window with fewer frames says nothing about latency or escalation.</summary>
    public int MinFrames { get; set; } = 200;

    /// <summary>End-to-end p95 latency, in milliseconds, above which a device's model version is alerted.</summary>
    public double MaxP95LatencyMs { get; set; } = 250;

    /// <summary>Absolute rise of a device's escalation rate over its model version's fleet-wide rate of the last <see cref="EscalationBaseline"/> that raises an alert.</summary>
    public double MaxEscalationIncrease { get; set; } = 0.1;

    /// <summary>Period before the window over which a model version's fleet-wide escalation rate (the baseline) is taken.</summary>
    public TimeSpan EscalationBaseline { get; set; } = TimeSpan.FromHours(24);
}
