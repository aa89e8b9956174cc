using System.Security.Cryptography;
using NSec.Cryptography;

namespace EdgeMl.Contracts.Signing;

/// <summary>
/// The fleet's Ed25519 signing key. It is created once in the server's data directory (0600) and
/// never leaves it; devices receive only the public key, at enrolment.
/// </summary>
public sealed class FleetKey : IDisposable
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;
    private readonly Key _key;

    private FleetKey(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        KeyId = KeyIdOf(PublicKey);
    }

    public byte[] PublicKey { get; }

    public string KeyId { get; }

    /// <summary>Loads the key at <paramref name="path"/>, or creates it there (owner-only) on first start.</summary>
    public static FleetKey LoadOrCreate(string path)
    {
        var creation = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        if (File.Exists(path))
        {
            return new FleetKey(Key.Import(Algorithm, File.ReadAllBytes(path), KeyBlobFormat.RawPrivateKey, creation));
        }

        var key = Key.Create(Algorithm, creation);
        SecretFile.Write(path, key.Export(KeyBlobFormat.RawPrivateKey));
        return new FleetKey(key);
    }

    public byte[] Sign(ReadOnlySpan<byte> data) => Algorithm.Sign(_key, data);

    public static string KeyIdOf(ReadOnlySpan<byte> publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey))[..16];

    /// <summary>True when <paramref name="signature"/> is the fleet key's signature of <paramref name="data"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (!NSec.Cryptography.PublicKey.TryImport(Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
        {
            return false;
        }

        return Algorithm.Verify(key, data, signature);
    }

    public void Dispose() => _key.Dispose();
}
