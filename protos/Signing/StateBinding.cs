using System.Security.Cryptography;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;

namespace EdgeMl.Contracts.Signing;

/// <summary>
/// The per-device half of a desired state (fleet.proto, <see cref="DesiredStateBinding"/>): one Ed25519 signature covers
/// content that many devices share, and the binding saying which device and revision it is for is a leaf of a Merkle tree
/// (<see cref="StateBatch"/>) whose root the same key signs once for a whole batch of devices. Signing once per content and
/// once per batch instead of once per device is what lets a rollout reach a large fleet quickly, and the revision stays
/// signed by the fleet: a device's secret alone cannot raise it (TUF's fast-forward).
/// </summary>
public static class StateBinding
{
    /// <summary>Hashes are SHA-256; no batch is near 2^64 leaves, so a longer path is malformed.</summary>
    private const int MaxPathLength = 64;

    // The statement starts with 0x00, a protobuf tag of field 0 that no parser accepts: it can never be read as a signed
    // DesiredState payload, and a payload (a serialized DesiredState) never starts with it.
    private static readonly byte[] StatementPrefix = [0x00, .. "edgeml-state-batch-v1"u8];

    /// <summary>The serialized binding of the payload hashing to <paramref name="payloadSha256"/> to one device and revision: a batch's leaf.</summary>
    public static ByteString Bind(string deviceId, ulong revision, ByteString payloadSha256) =>
        // The array is new and never written again: wrapped, not copied.
        UnsafeByteOperations.UnsafeWrap(new DesiredStateBinding { DeviceId = deviceId, Revision = revision, PayloadSha256 = payloadSha256 }.ToByteArray());

    /// <summary>The exact bytes the fleet's signing key signs for a batch: 0x00, "edgeml-state-batch-v1" in ASCII, the 32-byte root.</summary>
    public static byte[] StatementOf(ReadOnlySpan<byte> root) => [.. StatementPrefix, .. root];

    /// <summary>
    /// The binding of <paramref name="state"/> when its batch's root, computed from the binding and its inclusion proof, is signed by
    /// <paramref name="signerPublicKey"/>, the binding names <paramref name="deviceId"/> and is for <paramref name="state"/>'s payload;
    /// otherwise null and why. Checks the bytes as received, before parsing them. The payload's own signature is checked elsewhere.
    /// </summary>
    public static DesiredStateBinding? Open(SignedDesiredState state, string deviceId, byte[] signerPublicKey, out string? refusal) =>
        Open(state, deviceId, (root, signature) => FleetKey.Verify(signerPublicKey, StatementOf(root), signature.Span), out refusal);

    /// <summary>As the other overload, with roots verified once for all the devices of a batch (<see cref="VerifiedBatchRoots"/>).</summary>
    public static DesiredStateBinding? Open(SignedDesiredState state, string deviceId, VerifiedBatchRoots roots, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(roots);
        return Open(state, deviceId, roots.IsSigned, out refusal);
    }

    private static DesiredStateBinding? Open(SignedDesiredState state, string deviceId, Func<byte[], ByteString, bool> isSigned, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (RootOf(state) is not { } root)
        {
            refusal = "its batch proof is malformed";
            return null;
        }

        if (!isSigned(root, state.BatchSignature))
        {
            refusal = "its binding is not signed by the fleet";
            return null;
        }

        var binding = DesiredStateBinding.Parser.ParseFrom(state.Binding);
        Span<byte> payloadHash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(state.Payload.Span, payloadHash);
        if (!CryptographicOperations.FixedTimeEquals(payloadHash, binding.PayloadSha256.Span))
        {
            refusal = "its binding is for other content";
            return null;
        }

        if (binding.DeviceId != deviceId)
        {
            refusal = $"it is for device {binding.DeviceId}";
            return null;
        }

        refusal = null;
        return binding;
    }

    /// <summary>
    /// The root of the tree that <paramref name="state"/>'s proof places its binding in (RFC 9162, section 2.1.3.2), or null when
    /// the proof cannot be one: an index outside the tree, a hash not 32 bytes long, a path too short or too long for the tree's size.
    /// </summary>
    private static byte[]? RootOf(SignedDesiredState state)
    {
        var index = state.BatchIndex;
        var last = state.BatchSize - 1;
        if (state.BatchSize == 0 || index > last || state.BatchPath.Count > MaxPathLength)
        {
            return null;
        }

        // One hasher for the whole path: a SHA-256 context made anew for each of a path's hashes cost as much as the hashing.
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var hash = new byte[SHA256.HashSizeInBytes];
        HashLeaf(sha, state.Binding.Span, hash);
        foreach (var sibling in state.BatchPath)
        {
            if (last == 0 || sibling.Length != SHA256.HashSizeInBytes)
            {
                return null;
            }

            if ((index & 1) == 1 || index == last)
            {
                HashNode(sha, sibling.Span, hash, hash);
                // The rightmost node of a level with no right sibling moves up unchanged: skip the levels it did.
                while ((index & 1) == 0 && index != 0)
                {
                    index >>= 1;
                    last >>= 1;
                }
            }
            else
            {
                HashNode(sha, hash, sibling.Span, hash);
            }

            index >>= 1;
            last >>= 1;
        }

        return last == 0 ? hash : null;
    }

    /// <summary>RFC 6962's leaf hash, SHA-256(0x00 || leaf), so that no leaf can pass for an inner node.</summary>
    internal static void HashLeaf(IncrementalHash sha, ReadOnlySpan<byte> leaf, Span<byte> hash)
    {
        sha.AppendData([0x00]);
        sha.AppendData(leaf);
        sha.GetHashAndReset(hash);
    }

    /// <summary>RFC 6962's node hash, SHA-256(0x01 || left || right); <paramref name="hash"/> may be one of the two.</summary>
    internal static void HashNode(IncrementalHash sha, ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> hash)
    {
        sha.AppendData([0x01]);
        sha.AppendData(left);
        sha.AppendData(right);
        sha.GetHashAndReset(hash);
    }
}
