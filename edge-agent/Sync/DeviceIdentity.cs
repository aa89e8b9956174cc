using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeMl.Contracts.Signing;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// Who this device is to the fleet: kept in &lt;data&gt;/device.json (0600) after the one enrolment, with the MQTT broker the server
/// named then (null for a device enrolled before servers named one).
/// </summary>
public sealed record DeviceIdentity(string DeviceId, string Secret, string FleetPublicKey, string FleetKeyId, string Server, string? MqttBroker = null)
{
    public const string FileName = "device.json";

    [JsonIgnore]
    public byte[] PublicKeyBytes => Convert.FromBase64String(FleetPublicKey);

    public static DeviceIdentity? Load(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), SyncJson.Default.DeviceIdentity) : null;
    }

    public void Save(string dataDirectory) =>
        SecretFile.Write(Path.Combine(dataDirectory, FileName), JsonSerializer.SerializeToUtf8Bytes(this, SyncJson.Default.DeviceIdentity));
}
