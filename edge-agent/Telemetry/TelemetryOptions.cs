namespace EdgeMl.Agent.Telemetry;

/// <summary>The <c>Telemetry</c> section: how the telemetry aggregates are cut into intervals.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>How often each model's aggregate is closed and spooled to the outbox (1 s to 1 h).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);
}
