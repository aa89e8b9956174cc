using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Sync;

/// <summary>
/// Turns a stored desired state into the signed message a device trusts: model references resolved,
/// expiry set, signed by the signing key and carrying the root's endorsement of that key.
/// </summary>
internal sealed class DesiredStateSigner(ModelRegistry registry, FleetStores stores, FleetKeys keys, IOptions<SyncOptions> options, TimeProvider time)
{
    public async Task<SignedDesiredState> SignAsync(DesiredStateRecord record, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var state = new DesiredState
        {
            DeviceId = record.DeviceId,
            Revision = (ulong)record.Revision,
            RolloutId = record.RolloutId ?? "",
            Rollback = record.Rollback,
            HoldSwitch = record.HoldSwitch,
            IssuedAtUnixMs = now.ToUnixTimeMilliseconds(),
            ExpiresAtUnixMs = (now + options.Value.StateLifetime).ToUnixTimeMilliseconds(),
        };
        if (record.ActiveModel is { } active)
        {
            state.Active = ToRef(await registry.GetAsync(active, cancellationToken));

            // A rollout's decision settings go with the model it rolls out; not with a rollback, nor to a shadow's active model.
            if (record.RolloutId is { } rolloutId && !record.Rollback
                && await stores.Rollouts.GetDecisionsAsync(rolloutId, cancellationToken) is { Model: var model, DecisionsJson: { } json }
                && model == active)
            {
                (state.Automation, state.Bands) = RolloutDecisions.FromJson(json)!.ToProto();
            }
        }

        if (record.ShadowModel is { } shadow)
        {
            state.Shadow = ToRef(await registry.GetAsync(shadow, cancellationToken));
        }

        var payload = state.ToByteArray();
        return new SignedDesiredState
        {
            Payload = ByteString.CopyFrom(payload),
            Signature = ByteString.CopyFrom(keys.Signer.Sign(payload)),
            KeyId = keys.Signer.KeyId,
            SigningKey = keys.Statement,
        };
    }

    private static ModelRef ToRef(ModelRecord model) => new()
    {
        Name = model.Name,
        Version = model.Version,
        Sequence = model.Sequence,
        BundleSha256 = model.BundleSha256,
        BundleSize = model.BundleSize,
    };
}
