namespace EdgeMl.Fleet.Alerts;

/// <summary>The kinds of alert, as they appear in the API, on <c>edgeml/v1/alerts</c> and in device events.</summary>
internal static class AlertKinds
{
    public const string Drift = "drift";

    /// <summary>A device's escalation rate above its model version's rate across the fleet.</summary>
    public const string Escalation = "escalation";

    public const string Latency = "latency";

    public const string Offline = "offline";

    /// <summary>A device reports that its signed desired state expired without a fresh one (STALE).</summary>
    public const string StaleDesiredState = "stale_desired_state";

    /// <summary>Raised from the device's own event: its outbox is close to dropping telemetry.</summary>
    public const string OutboxNearFull = "outbox_near_full";
}
