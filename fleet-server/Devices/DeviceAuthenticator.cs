using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using Grpc.Core;

namespace EdgeMl.Fleet.Devices;

/// <summary>
/// Checks a device's id and secret against the database on every call. Nothing is cached, so a
/// revoked device is refused on its next call, also by the other replicas of the server.
/// </summary>
internal sealed class DeviceAuthenticator(FleetStores stores, IBrokerAccounts broker)
{
    public async Task<string> AuthenticateAsync(ServerCallContext context)
    {
        var id = CallerIdentity.DeviceId(context);
        var secret = CallerIdentity.Bearer(context);
        if (id is null || secret is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "device calls need x-edgeml-device and a bearer secret; enrol first"));
        }

        var hash = (await stores.Devices.GetAsync(id, context.CancellationToken))?.SecretHash;
        if (hash is null || !Secrets.Matches(secret, hash))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"device '{id}' is unknown, revoked, or its secret is wrong; enrol again with a new token"));
        }

        await broker.DeviceAuthenticatedAsync(id, secret, context.CancellationToken);
        return id;
    }
}
