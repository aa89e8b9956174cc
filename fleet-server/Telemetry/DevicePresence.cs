using System.Collections.Concurrent;

namespace EdgeMl.Fleet.Telemetry;

/// <summary>
/// Which devices are connected to the broker, from their retained status topics (online when they connect, the last will's
/// offline when the connection is lost). Every replica subscribes to the same retained messages, so every replica agrees.
/// </summary>
internal sealed class DevicePresence
{
    private readonly ConcurrentDictionary<string, Presence> _devices = new(StringComparer.Ordinal);

    /// <summary>Null when the device never published a status (or it was cleared).</summary>
    public Presence? Of(string deviceId) => _devices.TryGetValue(deviceId, out var presence) ? presence : null;

    /// <summary>The fleet's one answer to "is it online": its last status says so. A device that never published one is not.</summary>
    public bool IsOnline(string deviceId) => Of(deviceId)?.Online == true;

    public void Update(string deviceId, Presence? presence)
    {
        if (presence is null)
        {
            _devices.TryRemove(deviceId, out _);
        }
        else
        {
            _devices[deviceId] = presence;
        }
    }

    /// <summary>A device's last status; <c>Since</c> is when the connection it is about was made.</summary>
    internal sealed record Presence(bool Online, DateTimeOffset Since, string AgentVersion);
}
