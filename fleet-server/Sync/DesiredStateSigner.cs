using System.Collections.Concurrent;
using System.Security.Cryptography;
using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Sync;

/// <summary>
/// Turns stored desired states into the signed messages devices trust: model references resolved, expiry set, signed by
/// the signing key and carrying the root's endorsement of that key, and bound to each device.
/// </summary>
/// <remarks>
/// A rollout gives thousands of devices the same content. That content is resolved once and signed once per distinct
/// content (and again when its copy grows old); each device gets the same signed bytes with its own binding, a leaf of a
/// batch whose root is signed once (<see cref="StateBatch"/>), where a signature each took most of a large rollout's server time.
/// </remarks>
internal sealed class DesiredStateSigner(ModelRegistry registry, FleetStores stores, FleetKeys keys, IOptions<SyncOptions> options, TimeProvider time)
{
    // A handful of rollouts and rollbacks are live at once; past this the caches start over rather than grow.
    private const int ContentsKept = 256;

    private readonly ConcurrentDictionary<Content, Lazy<Task<DesiredState>>> _templates = new();
    private readonly ConcurrentDictionary<Content, SignedContent> _signed = new();
    private readonly Lock _signing = new();

    /// <summary>
    /// How old a signed copy may be when sent: a small part of the lifetime, so that a device's copy (re-sent every third
    /// of the lifetime) never comes close to expiring.
    /// </summary>
    private TimeSpan ResignAfter => options.Value.StateLifetime / 12;

    /// <summary>The state for <paramref name="record"/>'s device alone: a batch of one, its root the binding's hash.</summary>
    public async Task<SignedDesiredState> SignAsync(DesiredStateRecord record, CancellationToken cancellationToken) =>
        (await SignAsync([record], cancellationToken))[0];

    /// <summary>The states for <paramref name="records"/>' devices, in their order, bound as one batch under one root signature.</summary>
    public async Task<SignedDesiredState[]> SignAsync(IReadOnlyList<DesiredStateRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var contents = new SignedContent[records.Count];
        var bindings = new ByteString[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            contents[i] = await SignedAsync(new Content(record.ActiveModel, record.ShadowModel, record.RolloutId, record.Rollback, record.HoldSwitch), cancellationToken);
            bindings[i] = StateBinding.Bind(record.DeviceId, (ulong)record.Revision, contents[i].PayloadSha256);
        }

        var batch = new StateBatch(bindings);
        // New and never written again: wrapped, not copied.
        var rootSignature = UnsafeByteOperations.UnsafeWrap(keys.Signer.Sign(StateBinding.StatementOf(batch.Root)));
        var signed = new SignedDesiredState[records.Count];
        for (var i = 0; i < signed.Length; i++)
        {
            signed[i] = new SignedDesiredState
            {
                Payload = contents[i].Payload,
                Signature = contents[i].Signature,
                KeyId = keys.Signer.KeyId,
                SigningKey = keys.Statement,
                Binding = bindings[i],
                BatchIndex = (ulong)i,
                BatchSize = (ulong)signed.Length,
                BatchPath = { batch.PathOf(i) },
                BatchSignature = rootSignature,
            };
        }

        return signed;
    }

    private async Task<SignedContent> SignedAsync(Content content, CancellationToken cancellationToken)
    {
        if (_signed.TryGetValue(content, out var signed) && IsFresh(signed))
        {
            return signed;
        }

        var template = await TemplateAsync(content, cancellationToken);
        // Thousands of streams ask for a new content at once: one of them signs it, the others take its copy.
        lock (_signing)
        {
            if (_signed.TryGetValue(content, out signed) && IsFresh(signed))
            {
                return signed;
            }

            var now = time.GetUtcNow();
            var state = template.Clone();
            state.IssuedAtUnixMs = now.ToUnixTimeMilliseconds();
            state.ExpiresAtUnixMs = (now + options.Value.StateLifetime).ToUnixTimeMilliseconds();
            var payload = state.ToByteArray();
            // The arrays are new and never written again: wrapped, not copied.
            signed = new SignedContent(
                UnsafeByteOperations.UnsafeWrap(payload),
                UnsafeByteOperations.UnsafeWrap(SHA256.HashData(payload)),
                UnsafeByteOperations.UnsafeWrap(keys.Signer.Sign(payload)),
                now);
            if (_signed.Count >= ContentsKept)
            {
                _signed.Clear();
            }

            _signed[content] = signed;
            return signed;
        }
    }

    private bool IsFresh(SignedContent signed) => time.GetUtcNow() - signed.IssuedAt < ResignAfter;

    /// <summary>The content's state without times; models and a rollout's decisions never change once stored, so it is resolved once.</summary>
    private async Task<DesiredState> TemplateAsync(Content content, CancellationToken cancellationToken)
    {
        if (_templates.Count >= ContentsKept)
        {
            _templates.Clear();
        }

        // Shared by every stream asking at once, so no one stream's cancellation cancels it; each waits with its own.
        var resolving = _templates.GetOrAdd(content, c => new Lazy<Task<DesiredState>>(() => ResolveAsync(c, CancellationToken.None)));
        try
        {
            return await resolving.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (resolving.Value.IsFaulted)
        {
            // Not kept: the next stream asks the database again.
            _templates.TryRemove(new KeyValuePair<Content, Lazy<Task<DesiredState>>>(content, resolving));
            throw;
        }
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

    /// <summary>A content's signed copy: the payload every device given it receives, its SHA-256 for the bindings, and when it was signed.</summary>
    private sealed record SignedContent(ByteString Payload, ByteString PayloadSha256, ByteString Signature, DateTimeOffset IssuedAt);
}
