using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeMl.Fleet.Devices;

/// <summary>
/// The long-lived calls and connections each device holds on this replica (desired-state and verdict streams, downloads,
/// its MQTT connection to the embedded broker), and one signal per device that ends all of them when it is revoked: by
/// <c>device revoke</c> on this replica, or by another replica's notice (<see cref="Sync.DesiredStateListener"/>).
/// </summary>
internal sealed class DeviceRevocations
{
    private readonly Lock _lock = new();

    // Per device: the source every session's token links to, and how many sessions hold it.
    private readonly Dictionary<string, (CancellationTokenSource Revoked, int Sessions)> _devices = new(StringComparer.Ordinal);

    /// <summary>The devices holding a session here now.</summary>
    public IReadOnlyCollection<string> Devices
    {
        get
        {
            lock (_lock)
            {
                return [.. _devices.Keys];
            }
        }
    }

    public bool HasSessions(string deviceId)
    {
        lock (_lock)
        {
            return _devices.ContainsKey(deviceId);
        }
    }

    /// <summary>
    /// Opens a session whose token ends with <paramref name="callToken"/> or with the device's revocation. Open it before the
    /// device's secret is checked: a revocation that finds no session here was committed before that check, which then refuses it.
    /// </summary>
    public DeviceSession Open(string deviceId, CancellationToken callToken)
    {
        CancellationTokenSource revoked;
        lock (_lock)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_devices, deviceId, out _);
            entry.Revoked ??= new CancellationTokenSource();
            entry.Sessions++;
            revoked = entry.Revoked;
        }

        return new DeviceSession(this, deviceId, revoked, callToken);
    }

    /// <summary>Ends every session the device holds here; sessions opened afterwards are not affected (their check refuses the device).</summary>
    public void Revoke(string deviceId)
    {
        CancellationTokenSource? revoked = null;
        lock (_lock)
        {
            if (_devices.Remove(deviceId, out var entry))
            {
                revoked = entry.Revoked;
            }
        }

        // Outside the lock: cancelling runs the sessions' callbacks, which close them. The source is left undisposed: its
        // sessions unlink from it as they close, and a source without a timer holds nothing that needs freeing.
        revoked?.Cancel();
    }

    internal void Close(string deviceId, CancellationTokenSource revoked)
    {
        lock (_lock)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_devices, deviceId);
            // A revoked device's entry is gone already (or belongs to sessions opened after the revocation).
            if (!Unsafe.IsNullRef(ref entry) && ReferenceEquals(entry.Revoked, revoked) && --entry.Sessions == 0)
            {
                _devices.Remove(deviceId);
                revoked.Dispose();
            }
        }
    }
}
