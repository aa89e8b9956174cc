using System.Text;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;

namespace EdgeMl.Contracts.Signing;

/// <summary>
/// The root key's statement that a signing key speaks for the fleet, from a generation on. Devices
/// keep the highest generation they accepted, so each rotation revokes every older signing key.
/// </summary>
public static class SigningKeyEndorsement
{
    public static SigningKeyStatement Endorse(FleetKey root, byte[] signingPublicKey, ulong generation)
    {
        ArgumentNullException.ThrowIfNull(root);
        return new SigningKeyStatement
        {
            PublicKey = ByteString.CopyFrom(signingPublicKey),
            Generation = generation,
            RootSignature = ByteString.CopyFrom(root.Sign(SignedBytes(signingPublicKey, generation))),
        };
    }

    public static bool IsEndorsedBy(SigningKeyStatement statement, ReadOnlySpan<byte> rootPublicKey)
    {
        ArgumentNullException.ThrowIfNull(statement);
        return statement.Generation > 0
            && FleetKey.Verify(rootPublicKey, SignedBytes(statement.PublicKey.Span, statement.Generation), statement.RootSignature.Span);
    }

    /// <summary>The exact bytes the root signs (documented in fleet.proto).</summary>
    private static byte[] SignedBytes(ReadOnlySpan<byte> signingPublicKey, ulong generation) =>
        Encoding.UTF8.GetBytes($"edgeml-signing-key-v1\n{generation}\n{Convert.ToHexStringLower(signingPublicKey)}\n");
}
