using EdgeMl.Contracts.Signing;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// What the agent trusts: a desired state signed by the fleet's current signing key (a newer one is
/// followed when the root endorses it, an older one is revoked), bound to this device and revision by a binding
/// the same key signed in its batch (<see cref="StateBinding"/>), not expired
/// (a frozen or replayed stream cannot hold the device forever) and not older than the last one.
/// </summary>
internal sealed class DesiredStateCheck(TimeProvider time, FleetTrust trust, ulong acceptedRevision = 0)
{
    /// <summary>The highest revision accepted, starting from the one accepted before a restart.</summary>
    public ulong Revision { get; private set; } = acceptedRevision;

    /// <summary>The state, or null with the reason it was refused.</summary>
    public DesiredState? Accept(SignedDesiredState signed, DeviceIdentity identity, out string? refusal)
    {
        refusal = null;
        if (signed.SigningKey is { } statement && !trust.Follow(statement, identity, out refusal))
        {
            return null;
        }

        var signer = trust.SignerOf(identity);
        if (!FleetKey.Verify(signer, signed.Payload.Span, signed.Signature.Span))
        {
            refusal = "its signature is not the fleet's";
            return null;
        }

        if (StateBinding.Open(signed, identity.DeviceId, signer, out refusal) is not { } binding)
        {
            return null;
        }

        // The signed payload is shared by every device given the same content; the verified binding says whose it is.
        var state = DesiredState.Parser.ParseFrom(signed.Payload);
        state.DeviceId = binding.DeviceId;
        state.Revision = binding.Revision;
        if (state.ExpiresAtUnixMs < time.GetUtcNow().ToUnixTimeMilliseconds())
        {
            refusal = $"it expired at {DateTimeOffset.FromUnixTimeMilliseconds(state.ExpiresAtUnixMs):O}";
        }
        else if (state.Revision < Revision)
        {
            refusal = $"revision {state.Revision} is older than {Revision}";
        }

        if (refusal is not null)
        {
            return null;
        }

        Revision = state.Revision;
        return state;
    }
}
