namespace EdgeMl.Contracts.Telemetry;

/// <summary>The MQTT topics of one device, as the agent publishes to them and the server reads them.</summary>
public static class DeviceTopics
{
    public const string Root = "edgeml/v1";

    public const string TelemetryName = "telemetry";

    public const string StatusName = "status";

    public const string EventsName = "events";

    public static string Telemetry(string deviceId) => $"{Root}/{deviceId}/{TelemetryName}";

    public static string Status(string deviceId) => $"{Root}/{deviceId}/{StatusName}";

    public static string Events(string deviceId) => $"{Root}/{deviceId}/{EventsName}";

    /// <summary>A filter for one kind of topic of every device, e.g. <c>edgeml/v1/+/telemetry</c>.</summary>
    public static string EveryDevice(string name) => $"{Root}/+/{name}";

    /// <summary>Splits <c>edgeml/v1/&lt;device id&gt;/&lt;name&gt;</c>; false for any other topic.</summary>
    public static bool TryParse(string topic, out string deviceId, out string name)
    {
        (deviceId, name) = ("", "");
        if (!topic.StartsWith(Root + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = topic.AsSpan(Root.Length + 1);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || rest[(slash + 1)..].IndexOf('/') >= 0 || slash == rest.Length - 1)
        {
            return false;
        }

        (deviceId, name) = (rest[..slash].ToString(), rest[(slash + 1)..].ToString());
        return true;
    }
}
