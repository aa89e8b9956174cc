using System.Collections.Concurrent;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using Grpc.Core;

namespace EdgeMl.Fleet.Devices;

/// <summary>Checks a device's id and secret on every call; secret hashes are cached after the first look-up.</summary>
internal sealed class DeviceAuthenticator(FleetStores stores)
{
    private readonly ConcurrentDictionary<string, string> _hashes = new(StringComparer.Ordinal);

    public async Task<string> AuthenticateAsync(ServerCallContext context)
    {
        var id = CallerIdentity.DeviceId(context);
        var secret = CallerIdentity.Bearer(context);
        if (id is null || secret is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "device calls need x-edgeml-device and a bearer secret; enrol first"));
        }

        if (!_hashes.TryGetValue(id, out var hash))
        {
            var device = await stores.Devices.GetAsync(id, context.CancellationToken);
            hash = device?.SecretHash;
            if (hash is not null)
            {
                _hashes[id] = hash;
            }
        }

        return hash is not null && Secrets.Matches(secret, hash)
            ? id
            : throw new RpcException(new Status(StatusCode.Unauthenticated, $"device '{id}' is unknown or its secret is wrong"));
    }
}
