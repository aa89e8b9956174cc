using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeMl.Contracts.Signing;

/// <summary>
/// <c>signature.json</c> of a signed package: the fleet's signature over name, version, registry
/// sequence and the hashes and size of both files, so manifest, model and signature are checked as one.
/// </summary>
public sealed record PackageSignature
{
    public const string FileName = "signature.json";

    public string KeyId { get; init; } = "";
    public string Algorithm { get; init; } = "ed25519";
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    public long Sequence { get; init; }
    public string ManifestSha256 { get; init; } = "";
    public string ModelSha256 { get; init; } = "";
    public long ModelSize { get; init; }
    public string Signature { get; init; } = "";

    /// <summary>The exact bytes signed.</summary>
    public byte[] Statement() => Encoding.UTF8.GetBytes(
        $"edgeml-package-v1\n{Name}\n{Version}\n{Sequence}\n{ManifestSha256}\n{ModelSha256}\n{ModelSize}\n");

    public PackageSignature SignWith(FleetKey key) => this with
    {
        KeyId = key.KeyId,
        Signature = Convert.ToBase64String(key.Sign(Statement())),
    };

    public bool IsSignedBy(byte[] publicKey)
    {
        var signature = new byte[64];
        return Algorithm == "ed25519"
            && Convert.TryFromBase64String(Signature, signature, out var length)
            && length == 64
            && FleetKey.Verify(publicKey, Statement(), signature);
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, SignatureJson.Default.PackageSignature);

    public static PackageSignature? FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, SignatureJson.Default.PackageSignature);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(PackageSignature))]
internal sealed partial class SignatureJson : JsonSerializerContext;
