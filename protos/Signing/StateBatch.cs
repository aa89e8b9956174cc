using System.Security.Cryptography;
using Google.Protobuf;

namespace EdgeMl.Contracts.Signing;

/// <summary>
/// A Merkle tree as RFC 6962 defines it over the serialized bindings of states signed together, and each leaf's inclusion
/// proof: the fleet signs the root once (<see cref="StateBinding.StatementOf"/>) and each device gets its leaf, index, the
/// tree's size and the sibling hashes from its leaf up (RFC 9162, section 2.1.3). A one-leaf tree's root is the leaf's hash.
/// </summary>
public sealed class StateBatch
{
    // Level 0 holds the leaf hashes, each next level the hashes of the pairs below; the last node of an odd level moves up
    // unchanged, which gives the same tree as RFC 6962's split at the largest power of two below the size.
    private readonly List<byte[][]> _levels = [];

    public StateBatch(IReadOnlyList<ByteString> bindings)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        ArgumentOutOfRangeException.ThrowIfZero(bindings.Count);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var level = new byte[bindings.Count][];
        for (var i = 0; i < level.Length; i++)
        {
            level[i] = new byte[SHA256.HashSizeInBytes];
            StateBinding.HashLeaf(sha, bindings[i].Span, level[i]);
        }

        _levels.Add(level);
        while (level.Length > 1)
        {
            var up = new byte[(level.Length + 1) / 2][];
            for (var i = 0; i < up.Length; i++)
            {
                if ((2 * i) + 1 < level.Length)
                {
                    up[i] = new byte[SHA256.HashSizeInBytes];
                    StateBinding.HashNode(sha, level[2 * i], level[(2 * i) + 1], up[i]);
                }
                else
                {
                    up[i] = level[2 * i];
                }
            }

            _levels.Add(up);
            level = up;
        }
    }

    public int Count => _levels[0].Length;

    public ReadOnlySpan<byte> Root => _levels[^1][0];

    /// <summary>The sibling hashes from leaf <paramref name="index"/> up to the root; empty in a one-leaf tree.</summary>
    public IEnumerable<ByteString> PathOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        for (var height = 0; height < _levels.Count - 1; height++, index >>= 1)
        {
            var level = _levels[height];
            var sibling = (index & 1) == 1 ? index - 1 : index + 1;
            if (sibling < level.Length)
            {
                // The hashes are never written again once the tree is built: wrapped, not copied.
                yield return UnsafeByteOperations.UnsafeWrap(level[sibling]);
            }
        }
    }
}
