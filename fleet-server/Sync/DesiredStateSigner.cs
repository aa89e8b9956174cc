using System.Collections.Concurrent;
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
/// <remarks>
/// A rollout gives thousands of devices the same content; only the device id, the revision and the times differ.
/// That content (model references, the rollout's decision settings) is resolved once per distinct content and kept,
/// since models and a rollout's decisions never change once stored; each device's copy is still serialised and
/// signed on its own, because the device id and revision are in the signed bytes.
/// </remarks>
internal sealed class DesiredStateSigner(ModelRegistry registry, FleetStores stores, FleetKeys keys, IOptions<SyncOptions> options, TimeProvider time)
{
    // A handful of rollouts and rollbacks are live at once; past this the cache starts over rather than grow.
    private const int ContentsKept = 256;

    private readonly ConcurrentDictionary<Content, DesiredState> _contents = new();

    public async Task<SignedDesiredState> SignAsync(DesiredStateRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var content = new Content(record.ActiveModel, record.ShadowModel, record.RolloutId, record.Rollback, record.HoldSwitch);
        if (!_contents.TryGetValue(content, out var template))
        {
            template = await ResolveAsync(content, cancellationToken);
            if (_contents.Count >= ContentsKept)
            {
                _contents.Clear();
            }

            _contents.TryAdd(content, template);
        }

        var now = time.GetUtcNow();
        var state = template.Clone();
        state.DeviceId = record.DeviceId;
        state.Revision = (ulong)record.Revision;
        state.IssuedAtUnixMs = now.ToUnixTimeMilliseconds();
        state.ExpiresAtUnixMs = (now + options.Value.StateLifetime).ToUnixTimeMilliseconds();
        var payload = state.ToByteArray();
        // Both arrays are new and never written again: wrapped, not copied.
        return new SignedDesiredState
        {
            Payload = UnsafeByteOperations.UnsafeWrap(payload),
            Signature = UnsafeByteOperations.UnsafeWrap(keys.Signer.Sign(payload)),
            KeyId = keys.Signer.KeyId,
            SigningKey = keys.Statement,
        };
    }

    private async Task<DesiredState> ResolveAsync(Content content, CancellationToken cancellationToken)
    {
        var state = new DesiredState { RolloutId = content.RolloutId ?? "", Rollback = content.Rollback, HoldSwitch = content.HoldSwitch };
        if (content.ActiveModel is { } active)
        {
            state.Active = ToRef(await registry.GetAsync(active, cancellationToken));

            // A rollout's decision settings go with the model it rolls out; not with a rollback, nor to a shadow's active model.
            if (content.RolloutId is { } rolloutId && !content.Rollback
                && await stores.Rollouts.GetDecisionsAsync(rolloutId, cancellationToken) is { Model: var model, DecisionsJson: { } json }
                && model == active)
            {
                (state.Automation, state.Bands) = RolloutDecisions.FromJson(json)!.ToProto();
            }
        }

        if (content.ShadowModel is { } shadow)
        {
            state.Shadow = ToRef(await registry.GetAsync(shadow, cancellationToken));
        }

        return state;
    }

    private static ModelRef ToRef(ModelRecord model) => new()
    {
        Name = model.Name,
        Version = model.Version,
        Sequence = model.Sequence,
        BundleSha256 = model.BundleSha256,
        BundleSize = model.BundleSize,
    };

    /// <summary>What devices given the same state share.</summary>
    private readonly record struct Content(string? ActiveModel, string? ShadowModel, string? RolloutId, bool Rollback, bool HoldSwitch);
}
