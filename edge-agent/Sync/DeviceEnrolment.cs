using EdgeMl.Contracts.Fleet;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Contracts.Signing;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// Enrols once with the one-time token and from then on uses the stored identity. The token names the
/// fleet's root key (<c>&lt;secret&gt;.&lt;fingerprint&gt;</c>): a server that answers with another root is refused,
/// so the device never trusts whoever answers first.
/// </summary>
public sealed partial class DeviceEnrolment(IOptions<AgentOptions> options, FleetConnection connection, FleetTrust trust, ILogger<DeviceEnrolment> logger)
{
    private DeviceIdentity? _identity;

    public async Task<DeviceIdentity> EnsureAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if ((_identity ??= DeviceIdentity.Load(o.DataDirectory)) is { } known)
        {
            return known;
        }

        if (string.IsNullOrWhiteSpace(o.Token))
        {
            throw new InvalidOperationException($"this device has not enrolled yet ({Path.Combine(o.DataDirectory, DeviceIdentity.FileName)} is missing); give the enrolment token from 'fleet-server device token' with --token");
        }

        var token = o.Token.Trim();
        var dot = token.LastIndexOf('.');
        if (dot <= 0 || dot == token.Length - 1)
        {
            throw new InvalidOperationException("the enrolment token names no fleet (expected <secret>.<fingerprint>, as 'fleet-server device token' prints it); ask the fleet admin for a new token");
        }

        var fingerprint = token[(dot + 1)..];
        var request = new EnrolRequest { Token = token, Hostname = Environment.MachineName, AgentVersion = AgentVersion.Current, ManifestFields = { ManifestFields.Known } };
        foreach (var (tag, value) in Tags.Parse(o.Tags))
        {
            request.Tags[tag] = value;
        }

        var response = await connection.Anonymous.EnrolAsync(request, cancellationToken: cancellationToken);
        var answered = FleetKey.FingerprintOf(response.FleetPublicKey.Span);
        if (!string.Equals(answered, fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{o.Server} is not the fleet this token is for: its root key fingerprint is {answered}, the token names {fingerprint}; check --server");
        }

        if (response.SigningKey is { } statement && FleetTrust.Refusal(statement, response.FleetPublicKey.ToByteArray()) is { } refusal)
        {
            throw new InvalidOperationException($"{o.Server} answered with a signing key its own root does not vouch for ({refusal}); enrolment refused");
        }

        var identity = new DeviceIdentity(response.DeviceId, response.DeviceSecret, Convert.ToBase64String(response.FleetPublicKey.Span), response.FleetKeyId, o.Server!,
            response.MqttBroker.Length == 0 ? null : response.MqttBroker);
        // The trusted signing key first: an identity on disk without it would trust a previous fleet's file.
        trust.Pin(response.SigningKey);
        identity.Save(o.DataDirectory);
        LogEnrolled(logger, identity.DeviceId, o.Server!);
        return _identity = identity;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrolled as device {DeviceId} with {Server}")]
    private static partial void LogEnrolled(ILogger logger, string deviceId, string server);
}
