namespace EdgeMl.Fleet.Devices;

/// <summary>One long-lived call or connection of a device (<see cref="DeviceRevocations"/>): its token ends when the call does or the device is revoked.</summary>
internal sealed class DeviceSession : IDisposable
{
    private readonly DeviceRevocations _revocations;
    private readonly CancellationTokenSource _revoked;
    private readonly CancellationTokenSource _linked;

    public DeviceSession(DeviceRevocations revocations, string deviceId, CancellationTokenSource revoked, CancellationToken callToken)
    {
        _revocations = revocations;
        _revoked = revoked;
        DeviceId = deviceId;
        _linked = CancellationTokenSource.CreateLinkedTokenSource(callToken, revoked.Token);
    }

    public string DeviceId { get; }

    /// <summary>
    /// What every wait of the call takes but its writes: cancelled when the call ends or the device is revoked. A write takes the
    /// call's own token: grpc-dotnet resets the stream when a pending write is cancelled, and the device would learn "cancelled"
    /// instead of why; a revoked device still reading gets what was already sent, then the refusal at the next wait.
    /// </summary>
    public CancellationToken Token => _linked.Token;

    public bool IsRevoked => _revoked.IsCancellationRequested;

    public void Dispose()
    {
        // Unlinked first: the revocation source may be disposed once its last session closes.
        _linked.Dispose();
        _revocations.Close(DeviceId, _revoked);
    }
}
