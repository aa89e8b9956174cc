namespace EdgeMl.Fleet.Alerts;

/// <summary>How bad an alert is; an open alert is raised again only when its severity rises.</summary>
internal static class AlertSeverity
{
    public const string Warning = "warning";

    public const string Critical = "critical";

    public static int Rank(string severity) => severity switch
    {
        Critical => 2,
        Warning => 1,
        _ => 0,
    };
}
