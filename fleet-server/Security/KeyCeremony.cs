using EdgeMl.Contracts.Signing;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;

namespace EdgeMl.Fleet.Security;

/// <summary>
/// <c>keys init</c> and <c>keys rotate</c> on a data directory: the root key lives outside it, the
/// server keeps only the root's public key, the online signing key and the root's endorsement of it.
/// Failures are <see cref="ArgumentException"/>s with a one-line message.
/// </summary>
internal static class KeyCeremony
{
    public sealed record Outcome(string RootFingerprint, ulong Generation, string SigningKeyId, string? RevokedKeyId, bool RootFromFleetKey);

    /// <summary>
    /// Splits the fleet key into roles. A fleet that already has its single key makes that key the
    /// root (moved to <paramref name="rootOut"/>), so enrolled devices, which pinned it, keep trusting the fleet.
    /// </summary>
    public static Outcome Init(string dataDirectory, string rootOut)
    {
        var folder = FleetKeys.Folder(dataDirectory);
        var rootPath = Path.GetFullPath(rootOut);
        var data = Path.GetFullPath(dataDirectory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (rootPath.StartsWith(data, StringComparison.Ordinal))
        {
            throw new ArgumentException($"the root key must stay offline: --root-out {rootOut} is inside the data directory {dataDirectory}; write it elsewhere (removable media, a vault)");
        }

        if (File.Exists(Path.Combine(folder, FleetKeys.SigningKeyFile)))
        {
            throw new ArgumentException($"{folder} already has a signing key; use 'fleet-server keys rotate --root <root key>' to replace it");
        }

        if (File.Exists(rootPath))
        {
            throw new ArgumentException($"{rootOut} already exists; a root key is never overwritten, choose another --root-out");
        }

        var legacy = Path.Combine(folder, FleetKeys.LegacyKeyFile);
        var fromFleetKey = File.Exists(legacy);
        if (fromFleetKey)
        {
            SecretFile.Write(rootPath, File.ReadAllBytes(legacy));
        }

        using var root = FleetKey.LoadOrCreate(rootPath);
        SecretFile.Write(Path.Combine(folder, FleetKeys.RootPublicKeyFile), root.PublicKey);
        var signingKeyId = Install(folder, root, generation: 1);
        if (fromFleetKey)
        {
            File.Delete(legacy);
        }

        return new Outcome(root.Fingerprint, 1, signingKeyId, null, fromFleetKey);
    }

    /// <summary>Installs a new signing key, endorsed by the root with the next generation, which revokes the current one.</summary>
    public static Outcome Rotate(string dataDirectory, string rootKeyPath)
    {
        var folder = FleetKeys.Folder(dataDirectory);
        var statementPath = Path.Combine(folder, FleetKeys.StatementFile);
        if (!File.Exists(statementPath))
        {
            throw new ArgumentException($"{folder} has no signing key to rotate; run 'fleet-server keys init --root-out <path>' first");
        }

        if (!File.Exists(rootKeyPath))
        {
            throw new ArgumentException($"there is no root key at {rootKeyPath}; give the file 'keys init --root-out' wrote");
        }

        using var root = LoadRoot(rootKeyPath);
        var fleetRoot = File.ReadAllBytes(Path.Combine(folder, FleetKeys.RootPublicKeyFile));
        if (!root.PublicKey.AsSpan().SequenceEqual(fleetRoot))
        {
            throw new ArgumentException($"{rootKeyPath} is not this fleet's root key (fingerprint {root.Fingerprint}, the fleet's is {FleetKey.FingerprintOf(fleetRoot)})");
        }

        var current = SigningKeyStatement.Parser.ParseFrom(File.ReadAllBytes(statementPath));
        var generation = current.Generation + 1;
        var signingKeyId = Install(folder, root, generation);
        return new Outcome(root.Fingerprint, generation, signingKeyId, FleetKey.KeyIdOf(current.PublicKey.Span), false);
    }

    private static FleetKey LoadRoot(string path)
    {
        try
        {
            return FleetKey.Load(path);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{path} is not an Ed25519 private key; give the file 'keys init --root-out' wrote");
        }
    }

    /// <summary>
    /// A fresh key beside the current one, its endorsement, then the key moved into place: a crash
    /// between the steps leaves a key and endorsement that disagree, which the server refuses to start with.
    /// </summary>
    private static string Install(string folder, FleetKey root, ulong generation)
    {
        var next = Path.Combine(folder, FleetKeys.SigningKeyFile + ".next");
        File.Delete(next);
        using var signing = FleetKey.LoadOrCreate(next);
        SecretFile.Write(Path.Combine(folder, FleetKeys.StatementFile), SigningKeyEndorsement.Endorse(root, signing.PublicKey, generation).ToByteArray());
        File.Move(next, Path.Combine(folder, FleetKeys.SigningKeyFile), overwrite: true);
        return signing.KeyId;
    }
}
