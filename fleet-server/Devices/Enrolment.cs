using System.Security.Cryptography;
using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Devices;

/// <summary>
/// One-time enrolment tokens, and the device identities they are traded for. A token is
/// <c>&lt;secret&gt;.&lt;root fingerprint&gt;</c>: the secret is checked here (only its hash is stored), the
/// fingerprint is for the agent, which refuses a server whose root key does not match it.
/// </summary>
internal sealed class Enrolment(FleetStores stores, FleetKeys keys, IBrokerAccounts broker, TimeProvider time)
{
    public sealed record Enrolled(string DeviceId, string Secret);

    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueTokenAsync(TimeSpan lifetime, string actor, CancellationToken cancellationToken)
    {
        var secret = Secrets.NewToken();
        var now = time.GetUtcNow();
        await stores.Tokens.AddAsync(Secrets.Hash(secret), now, now + lifetime, cancellationToken);
        await stores.Audit.AppendAsync(new AuditRecord(now, actor, "device.token", "-", $"valid until {now + lifetime:O}"), cancellationToken);
        return ($"{secret}.{keys.RootFingerprint}", now + lifetime);
    }

    /// <summary>Null when the token is unknown, expired or already used.</summary>
    public async Task<Enrolled?> EnrolAsync(string token, IReadOnlyDictionary<string, string> tags, string hostname, string agentVersion, IReadOnlyList<string> manifestFields, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = "dev-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        // The secret's alphabet (base64url) has no '.', so the fingerprint is whatever follows the last one.
        var presented = token.LastIndexOf('.') is var dot and >= 0 ? token[..dot] : token;
        if (!await stores.Tokens.TryConsumeAsync(Secrets.Hash(presented), id, now, cancellationToken))
        {
            return null;
        }

        var secret = Secrets.NewToken();
        await stores.Devices.AddAsync(
            new DeviceRecord(id, Secrets.Hash(secret), tags, now, hostname, agentVersion, now, null, null, null, null, 0, null, null),
            manifestFields,
            cancellationToken);
        try
        {
            await broker.AddDeviceAsync(id, secret, cancellationToken);
        }
        catch
        {
            // A device the broker does not know could sync but never report: no half-enrolled devices.
            await stores.Devices.RemoveAsync(id, CancellationToken.None);
            throw;
        }

        await stores.Audit.AppendAsync(new AuditRecord(now, id, "device.enrol", id, string.Join(',', tags.Select(t => $"{t.Key}={t.Value}"))), cancellationToken);
        return new Enrolled(id, secret);
    }
}
