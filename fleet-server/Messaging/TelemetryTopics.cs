namespace EdgeMl.Fleet.Messaging;

/// <summary>
/// The MQTT topic scheme, and who may use which part of it: a device publishes under
/// <c>edgeml/v1/&lt;its id&gt;/</c> only, keeps a retained message on its status topic only, and subscribes
/// to its own command topics only; the server reads every device's topics and publishes alerts and commands.
/// Both brokers (embedded, Mosquitto's dynamic security) enforce these same rules.
/// </summary>
internal static class TelemetryTopics
{
    public const string Root = EdgeMl.Contracts.Telemetry.DeviceTopics.Root;

    public const string Alerts = Root + "/alerts";

    /// <summary>What the server subscribes to and publishes under: every device's topics and the fleet-wide ones.</summary>
    public const string Everything = Root + "/#";

    /// <summary>The shared-subscription group of the server's replicas: each message under it goes to one of them.</summary>
    public const string ShareGroup = "edgeml";

    private const string SharedPrefix = "$share/";

    /// <summary>
    /// <paramref name="filter"/> read through the replicas' shared subscription. Mosquitto checks the ACL against the whole
    /// filter, <c>$share/&lt;group&gt;/</c> included, so the server's role names it too.
    /// </summary>
    public static string Shared(string filter) => $"{SharedPrefix}{ShareGroup}/{filter}";

    public static string DevicePrefix(string deviceId) => $"{Root}/{deviceId}/";

    /// <summary>Every topic of one device, as an MQTT filter.</summary>
    public static string DeviceTopics(string deviceId) => $"{Root}/{deviceId}/#";

    public static string Telemetry(string deviceId) => EdgeMl.Contracts.Telemetry.DeviceTopics.Telemetry(deviceId);

    public static string Status(string deviceId) => EdgeMl.Contracts.Telemetry.DeviceTopics.Status(deviceId);

    public static string Events(string deviceId) => EdgeMl.Contracts.Telemetry.DeviceTopics.Events(deviceId);

    public static string Commands(string deviceId) => $"{Root}/{deviceId}/commands";

    /// <summary>The filter a device subscribes to for its commands.</summary>
    public static string CommandFilter(string deviceId) => $"{Root}/{deviceId}/commands/#";

    public static bool DeviceMayPublish(string deviceId, string topic, bool retain) =>
        retain ? topic == Status(deviceId) : topic.StartsWith(DevicePrefix(deviceId), StringComparison.Ordinal);

    public static bool DeviceMaySubscribe(string deviceId, string filter)
    {
        // A wildcard may only reach below the device's own command topic: "edgeml/v1/+/commands/#" names other devices too.
        var commands = Commands(deviceId);
        return filter == commands || filter.StartsWith(commands + "/", StringComparison.Ordinal);
    }

    /// <summary>The server reads under the root, also through a shared subscription (<c>$share/&lt;group&gt;/edgeml/v1/...</c>) that spreads the load over replicas.</summary>
    public static bool ServerMaySubscribe(string filter)
    {
        if (filter.StartsWith(SharedPrefix, StringComparison.Ordinal))
        {
            var group = filter.IndexOf('/', SharedPrefix.Length);
            filter = group < 0 ? "" : filter[(group + 1)..];
        }

        return filter == Root || filter.StartsWith(Root + "/", StringComparison.Ordinal);
    }

    public static bool ServerMayPublish(string topic) => topic.StartsWith(Root + "/", StringComparison.Ordinal);
}
