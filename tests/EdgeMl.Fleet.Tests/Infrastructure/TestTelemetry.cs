using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Storage;
using Google.Protobuf.WellKnownTypes;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>
/// Telemetry windows as an agent publishes them (protos/telemetry.proto), stored straight into the server's store.
/// Gate tests feed the store through this until agents publish over MQTT; then the same figures can come from real
/// agents scoring frames, and the assertions stay as they are.
/// </summary>
internal static class TestTelemetry
{
    /// <summary>
    /// One window of <paramref name="frames"/> ending at <paramref name="end"/>: every frame took <paramref name="latencyMs"/>,
    /// the given shares were escalated or failed, the rest decided automatically. A shadow window carries agreement instead.
    /// </summary>
    public static TelemetryRecord Window(
        string device, string model, DateTimeOffset end, long frames, double latencyMs = 10, double escalationRate = 0.05, double errorRate = 0,
        ModelRole role = ModelRole.Active, double agreement = 1, DateTimeOffset? receivedAt = null)
    {
        var colon = model.IndexOf(':', StringComparison.Ordinal);
        var escalated = (ulong)Math.Round(frames * escalationRate);
        var errors = (ulong)Math.Round(frames * errorRate);
        var aggregate = new ModelAggregate
        {
            MessageId = Guid.NewGuid().ToString(),
            WindowStart = Timestamp.FromDateTimeOffset(end.AddSeconds(-10)),
            WindowEnd = Timestamp.FromDateTimeOffset(end),
            Role = role,
            ModelName = model[..colon],
            ModelVersion = model[(colon + 1)..],
            Frames = (ulong)frames,
        };
        if (role == ModelRole.Shadow)
        {
            aggregate.Shadow = new ShadowAgreement { Frames = (ulong)frames, Agreed = (ulong)Math.Round(frames * agreement) };
        }
        else
        {
            aggregate.Decisions = new DecisionCounts { Auto = (ulong)frames - escalated - errors, Escalate = escalated, Error = errors };
            var latency = new Histogram(BucketLayout.LatencyMicroseconds);
            for (var i = 0; i < frames; i++)
            {
                latency.Record(latencyMs * 1000);
            }

            aggregate.EndToEndLatencyUs = latency.ToMessage();
        }

        return new TelemetryRecord(device, receivedAt ?? end, aggregate);
    }

    /// <summary>A crack-detector window of <paramref name="version"/> with <paramref name="escalations"/> of its frames escalated.</summary>
    public static TelemetryRecord Record(string device, string version, DateTimeOffset end, ulong frames, ulong escalations, double latencyMs, ModelRole role = ModelRole.Active) =>
        Window(device, $"crack-detector:{version}", end, (long)frames, latencyMs, frames == 0 ? 0 : (double)escalations / frames, role: role);
}
