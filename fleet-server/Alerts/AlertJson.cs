using System.Text.Json;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Alerts;

/// <summary>The one JSON shape of an alert: API, CLI, MQTT and webhook alike.</summary>
internal static class AlertJson
{
    public static string Serialize(AlertRecord alert) => JsonSerializer.Serialize(alert, JsonSerializerOptions.Web);

    public static string Serialize(IEnumerable<AlertRecord> alerts) => JsonSerializer.Serialize(alerts, JsonSerializerOptions.Web);
}
