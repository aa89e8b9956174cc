using System.Collections.Concurrent;
using Google.Protobuf;

namespace EdgeMl.Contracts.Signing;

/// <summary>
/// Batch roots verified with one signing key, for a process that checks the states of many devices (the bench's simulated
/// fleet): a real device verifies its batch's root on its own processor, a process holding thousands of devices verifies a
/// root their batch shares once.
/// </summary>
public sealed class VerifiedBatchRoots(byte[] signerPublicKey)
{
    // A rollout's batches are a few hundred; past this the set starts over rather than grow with every re-send.
    private const int RootsKept = 4096;

    private readonly ConcurrentDictionary<(ByteString Root, ByteString Signature), bool> _verified = new();

    internal bool IsSigned(byte[] root, ByteString signature)
    {
        var key = (UnsafeByteOperations.UnsafeWrap(root), signature);
        if (_verified.ContainsKey(key))
        {
            return true;
        }

        if (!FleetKey.Verify(signerPublicKey, StateBinding.StatementOf(root), signature.Span))
        {
            return false;
        }

        if (_verified.Count >= RootsKept)
        {
            _verified.Clear();
        }

        _verified.TryAdd(key, true);
        return true;
    }
}
