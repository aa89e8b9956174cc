using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using Google.Protobuf.WellKnownTypes;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>Telemetry aggregates as a device publishes them, for tests that read them back through the store.</summary>
internal static class TestTelemetry
{
    /// <summary>A 10-second window ending at <paramref name="end"/> whose frames all took <paramref name="latencyMs"/> end to end.</summary>
    public static TelemetryRecord Record(string device, string version, DateTimeOffset end, ulong frames, ulong escalations, double latencyMs, ModelRole role = ModelRole.Active)
    {
        var latency = new Histogram(BucketLayout.LatencyMicroseconds);
        for (var i = 0UL; i < frames; i++)
        {
            latency.Record(latencyMs * 1000);
        }

        return new TelemetryRecord(device, end, new ModelAggregate
        {
            MessageId = Guid.NewGuid().ToString("N"),
            WindowStart = Timestamp.FromDateTimeOffset(end.AddSeconds(-10)),
            WindowEnd = Timestamp.FromDateTimeOffset(end),
            Role = role,
            ModelName = "crack-detector",
            ModelVersion = version,
            Frames = frames,
            Decisions = new DecisionCounts { Auto = frames - escalations, Escalate = escalations },
            EndToEndLatencyUs = latency.ToMessage(),
        });
    }
}
