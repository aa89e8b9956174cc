using EdgeMl.Contracts.Signing;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Security;

/// <summary>
/// The server's keys by role, from &lt;data&gt;/keys. After <c>keys init</c>: the offline root's public key and
/// the online signing key with the root's endorsement. Before it: the one fleet key, root and signer at once,
/// created on first start as always.
/// </summary>
internal sealed class FleetKeys : IDisposable
{
    public const string LegacyKeyFile = "fleet-ed25519.key";
    public const string RootPublicKeyFile = "root-ed25519.pub";
    public const string SigningKeyFile = "signing-ed25519.key";
    public const string StatementFile = "signing-key.statement";

    private FleetKeys(byte[] rootPublicKey, FleetKey signer, SigningKeyStatement? statement)
    {
        RootPublicKey = rootPublicKey;
        Signer = signer;
        Statement = statement;
    }

    public byte[] RootPublicKey { get; }

    public string RootFingerprint => FleetKey.FingerprintOf(RootPublicKey);

    public string RootKeyId => FleetKey.KeyIdOf(RootPublicKey);

    /// <summary>Signs desired states and packages.</summary>
    public FleetKey Signer { get; }

    /// <summary>The root's endorsement of <see cref="Signer"/>; null while the fleet key is root and signer.</summary>
    public SigningKeyStatement? Statement { get; }

    public static string Folder(string dataDirectory) => Path.Combine(dataDirectory, "keys");

    public static FleetKeys Load(string dataDirectory)
    {
        var folder = Folder(dataDirectory);
        if (!File.Exists(Path.Combine(folder, SigningKeyFile)))
        {
            var fleet = FleetKey.LoadOrCreate(Path.Combine(folder, LegacyKeyFile));
            return new FleetKeys(fleet.PublicKey, fleet, null);
        }

        var root = File.ReadAllBytes(Path.Combine(folder, RootPublicKeyFile));
        var statement = SigningKeyStatement.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(folder, StatementFile)));
        var signer = FleetKey.Load(Path.Combine(folder, SigningKeyFile));
        if (!SigningKeyEndorsement.IsEndorsedBy(statement, root) || !statement.PublicKey.Span.SequenceEqual(signer.PublicKey))
        {
            signer.Dispose();
            throw new ArgumentException($"the signing key in {folder} is not the one its root endorsement names; run 'fleet-server keys rotate --root <root key>' to install a fresh one");
        }

        return new FleetKeys(root, signer, statement);
    }

    public void Dispose() => Signer.Dispose();
}
