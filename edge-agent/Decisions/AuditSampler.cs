using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace EdgeMl.Agent.Decisions;

/// <summary>
/// Picks a share of frames for human audit. The pick is a hash of model and frame id, not a random draw,
/// so a retried frame gets the same answer and a new model version samples afresh.
/// </summary>
public static class AuditSampler
{
    private const int StackBytes = 512;

    public static bool IsSampled(string modelId, string frameId, double share)
    {
        if (share <= 0)
        {
            return false;
        }

        // Hashed on the stack: the pipeline allocates nothing per frame once warm.
        var length = Encoding.UTF8.GetMaxByteCount(modelId.Length + 1 + frameId.Length);
        var rented = length > StackBytes ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            var text = rented ?? stackalloc byte[StackBytes];
            var written = Encoding.UTF8.GetBytes(modelId, text);
            text[written++] = (byte)'\n';
            written += Encoding.UTF8.GetBytes(frameId, text[written..]);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(text[..written], hash);
            // The top 53 bits as a fraction in [0, 1): uniform, and exact in a double.
            var fraction = (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
            return fraction < share;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
