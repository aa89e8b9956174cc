using System.Collections.Concurrent;

namespace EdgeMl.Fleet.Telemetry;

/// <summary>
/// Which devices are connected to the broker, from their retained status topics (online when they connect, the last will's
/// offline when the connection is lost). Every replica subscribes to the same retained messages, so every replica agrees.
/// </summary>
internal sealed class DevicePresence
{
    // Kept for the rollout engine, which moves its offline counts by the changes; beyond this it recounts in full.
    private const int ChangesKept = 100_000;

    private readonly ConcurrentDictionary<string, Presence> _devices = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _changes = new();
    private int _changesLost;

    /// <summary>Null when the device never published a status (or it was cleared).</summary>
    public Presence? Of(string deviceId) => _devices.TryGetValue(deviceId, out var presence) ? presence : null;

    /// <summary>The fleet's one answer to "is it online": its last status says so. A device that never published one is not.</summary>
    public bool IsOnline(string deviceId) => Of(deviceId)?.Online == true;

    /// <summary>How many devices are online now (<see cref="IsOnline"/>), counted when asked: a metrics scrape, not a hot path.</summary>
    public int OnlineCount() => _devices.Count(d => d.Value.Online);

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

        Changed(deviceId);
    }

    /// <summary>
    /// The devices whose status was updated since the last call, each at least once; false when more changed than were
    /// kept, and the caller must look at every device it cares about. One reader only: what it takes, no other sees.
    /// </summary>
    public bool TakeChanges(ICollection<string> changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var complete = Interlocked.Exchange(ref _changesLost, 0) == 0;
        while (_changes.TryDequeue(out var deviceId))
        {
            changed.Add(deviceId);
        }

        return complete;
    }

    private void Changed(string deviceId)
    {
        if (_changes.Count >= ChangesKept)
        {
            Volatile.Write(ref _changesLost, 1);
            _changes.Clear();
        }

        _changes.Enqueue(deviceId);
    }

    /// <summary>A device's last status; <c>Since</c> is when the connection it is about was made.</summary>
    internal sealed record Presence(bool Online, DateTimeOffset Since, string AgentVersion);
}
