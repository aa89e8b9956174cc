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
    public static bool IsSampled(string modelId, string frameId, double share)
    {
        if (share <= 0)
        {
            return false;
        }

        var text = $"{modelId}\n{frameId}";
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        // The top 53 bits as a fraction in [0, 1): uniform, and exact in a double.
        var fraction = (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
        return fraction < share;
    }
}
