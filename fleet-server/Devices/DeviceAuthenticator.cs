using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using Grpc.Core;

namespace EdgeMl.Fleet.Devices;

/// <summary>
/// Checks a device's id and secret against the database on every call. Nothing is cached, so a
/// revoked device is refused on its next call, also by the other replicas of the server; a long-lived
/// call holds a <see cref="DeviceSession"/>, which the revocation ends.
/// </summary>
internal sealed class DeviceAuthenticator(FleetStores stores, IBrokerAccounts broker, DeviceRevocations revocations)
{
    public async Task<string> AuthenticateAsync(ServerCallContext context)
    {
        var (id, secret) = CallerOf(context);
        await CheckAsync(id, secret, context);
        return id;
    }

    /// <summary>Authenticates a long-lived call and opens its session; the call waits on the session's token.</summary>
    public async Task<DeviceSession> OpenSessionAsync(ServerCallContext context)
    {
        var (id, secret) = CallerOf(context);
        // Opened before the check, so that a revocation either precedes the check (which refuses) or finds the session.
        var session = revocations.Open(id, context.CancellationToken);
        try
        {
            await CheckAsync(id, secret, context);
        }
        catch
        {
            session.Dispose();
            throw;
        }

        context.UserState[typeof(DeviceSession)] = session;
        return session;
    }

    /// <summary>The status of a call whose device was revoked while it ran, or null for any other call.</summary>
    public static Status? RevokedDuring(ServerCallContext context) =>
        context.UserState.TryGetValue(typeof(DeviceSession), out var held) && held is DeviceSession { IsRevoked: true } session ? Refused(session.DeviceId) : null;

    private static Status Refused(string deviceId) =>
        new(StatusCode.Unauthenticated, $"device '{deviceId}' is unknown, revoked, or its secret is wrong; enrol again with a new token");

    private static (string Id, string Secret) CallerOf(ServerCallContext context) =>
        CallerIdentity.DeviceId(context) is { } id && CallerIdentity.Bearer(context) is { } secret
            ? (id, secret)
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "device calls need x-edgeml-device and a bearer secret; enrol first"));

    private async Task CheckAsync(string id, string secret, ServerCallContext context)
    {
        var hash = (await stores.Devices.GetAsync(id, context.CancellationToken))?.SecretHash;
        if (hash is null || !Secrets.Matches(secret, hash))
        {
            throw new RpcException(Refused(id));
        }

        await broker.DeviceAuthenticatedAsync(id, secret, context.CancellationToken);
    }
}
