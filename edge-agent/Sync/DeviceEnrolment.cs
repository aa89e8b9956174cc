using EdgeMl.Contracts.Fleet;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Sync;

/// <summary>Enrols once with the one-time token and from then on uses the stored identity.</summary>
public sealed partial class DeviceEnrolment(IOptions<AgentOptions> options, FleetConnection connection, ILogger<DeviceEnrolment> logger)
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

        var request = new EnrolRequest { Token = o.Token.Trim(), Hostname = Environment.MachineName, AgentVersion = AgentVersion.Current };
        foreach (var (tag, value) in Tags.Parse(o.Tags))
        {
            request.Tags[tag] = value;
        }

        var response = await connection.Anonymous.EnrolAsync(request, cancellationToken: cancellationToken);
        var identity = new DeviceIdentity(response.DeviceId, response.DeviceSecret, Convert.ToBase64String(response.FleetPublicKey.Span), response.FleetKeyId, o.Server!);
        identity.Save(o.DataDirectory);
        LogEnrolled(logger, identity.DeviceId, o.Server!);
        return _identity = identity;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrolled as device {DeviceId} with {Server}")]
    private static partial void LogEnrolled(ILogger logger, string deviceId, string server);
}
