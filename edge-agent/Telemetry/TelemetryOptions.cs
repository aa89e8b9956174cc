namespace EdgeMl.Agent.Telemetry;

/// <summary>The <c>Telemetry</c> section.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>How often each model's aggregate is closed and spooled to the outbox.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);
}
