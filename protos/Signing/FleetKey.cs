using System.Security.Cryptography;
using NSec.Cryptography;

namespace EdgeMl.Contracts.Signing;

/// <summary>
/// An Ed25519 key of the fleet, kept in a file readable by its owner only: the online signing key in
/// the server's data directory, or the offline root key wherever the admin keeps it. In a fleet
/// without <c>keys init</c> one such key is root and signer at once. Devices receive public keys only.
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

    public string Fingerprint => FingerprintOf(PublicKey);

    /// <summary>Loads the key at <paramref name="path"/>; throws <see cref="FileNotFoundException"/> when there is none.</summary>
    public static FleetKey Load(string path) => File.Exists(path)
        ? LoadOrCreate(path)
        : throw new FileNotFoundException($"there is no key at {path}", path);

    public static string KeyIdOf(ReadOnlySpan<byte> publicKey) => FingerprintOf(publicKey)[..16];

    /// <summary>What an enrolment token pins: the lowercase hex SHA-256 of the raw public key.</summary>
    public static string FingerprintOf(ReadOnlySpan<byte> publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey));

    /// <summary>True when <paramref name="signature"/> is the signature by <paramref name="publicKey"/> of <paramref name="data"/>.</summary>
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
