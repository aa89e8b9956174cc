using EdgeMl.Contracts.Signing;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// Which key this device accepts desired states and packages from: the newest signing key that its
/// pinned root key endorsed or, in a fleet without separate signing keys, the root itself. The newest
/// endorsement is kept in &lt;data&gt;/signing-key.statement, so a revoked key stays refused after a restart.
/// </summary>
public sealed class FleetTrust(IOptions<AgentOptions> options)
{
    public const string FileName = "signing-key.statement";

    private readonly string _path = Path.Combine(options.Value.DataDirectory, FileName);
    private readonly Lock _gate = new();
    private SigningKeyStatement? _current;
    private bool _loaded;

    /// <summary>The public key that must have signed a desired state or a package.</summary>
    public byte[] SignerOf(DeviceIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        lock (_gate)
        {
            return Current(identity)?.PublicKey.ToByteArray() ?? identity.PublicKeyBytes;
        }
    }

    /// <summary>At enrolment: starts over with the fleet just pinned and its current signing key, if it has one.</summary>
    public void Pin(SigningKeyStatement? statement)
    {
        lock (_gate)
        {
            if (statement is null)
            {
                File.Delete(_path);
            }
            else
            {
                SecretFile.Write(_path, statement.ToByteArray());
            }

            _current = statement;
            _loaded = true;
        }
    }

    /// <summary>
    /// Follows a signing key the root endorsed with a newer generation (the older key is revoked from
    /// then on); false, with the reason, for a key the root did not endorse or an older generation.
    /// </summary>
    public bool Follow(SigningKeyStatement statement, DeviceIdentity identity, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(identity);
        refusal = Refusal(statement, identity.PublicKeyBytes);
        if (refusal is not null)
        {
            return false;
        }

        lock (_gate)
        {
            var current = Current(identity);
            var trusted = current?.Generation ?? 0;
            var keyId = FleetKey.KeyIdOf(statement.PublicKey.Span);
            if (statement.Generation < trusted)
            {
                refusal = $"its signing key {keyId} (generation {statement.Generation}) is revoked: this device trusts generation {trusted}";
            }
            else if (statement.Generation == trusted)
            {
                refusal = statement.PublicKey.Equals(current!.PublicKey)
                    ? null
                    : $"its signing key {keyId} claims generation {trusted}, which belongs to key {FleetKey.KeyIdOf(current.PublicKey.Span)}";
            }
            else
            {
                SecretFile.Write(_path, statement.ToByteArray());
                _current = statement;
            }

            return refusal is null;
        }
    }

    /// <summary>Why the root's endorsement does not hold, or null when it does.</summary>
    public static string? Refusal(SigningKeyStatement statement, byte[] rootPublicKey) =>
        SigningKeyEndorsement.IsEndorsedBy(statement, rootPublicKey)
            ? null
            : $"its signing key {FleetKey.KeyIdOf(statement.PublicKey.Span)} is not endorsed by the fleet's root key {FleetKey.KeyIdOf(rootPublicKey)}";

    private SigningKeyStatement? Current(DeviceIdentity identity)
    {
        if (_loaded)
        {
            return _current;
        }

        if (File.Exists(_path))
        {
            var stored = SigningKeyStatement.Parser.ParseFrom(File.ReadAllBytes(_path));
            if (Refusal(stored, identity.PublicKeyBytes) is { } problem)
            {
                throw new InvalidOperationException($"{_path} cannot be trusted ({problem}); restore it, or enrol this device again");
            }

            _current = stored;
        }

        _loaded = true;
        return _current;
    }
}
