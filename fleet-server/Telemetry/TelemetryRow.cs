using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Telemetry;

/// <summary>One stored aggregate as <c>telemetry list --json</c> and <c>GET /api/telemetry</c> show it; rates and latency through <see cref="TelemetrySummary"/>.</summary>
internal sealed record TelemetryRow(
    string DeviceId,
    string MessageId,
    string Role,
    string Model,
    string ExecutionProvider,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    DateTimeOffset ReceivedAt,
    long Frames,
    long Auto,
    long Escalations,
    long Errors,
    long Audits,
    long DroppedFrames,
    IReadOnlyDictionary<string, ulong> Labels,
    double? P95LatencyMs,
    double? ShadowAgreement,
    double CpuPercent,
    ulong RssBytes,
    ulong? GpuMemoryBytes)
{
    public static TelemetryRow Of(TelemetryRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var a = record.Aggregate;
        var summary = TelemetrySummary.Of([a]);
        return new TelemetryRow(
            record.DeviceId,
            a.MessageId,
            TelemetryStore.RoleName(a.Role),
            a.ModelName.Length == 0 ? "" : $"{a.ModelName}:{a.ModelVersion}",
            a.ExecutionProvider,
            a.WindowStart?.ToDateTimeOffset() ?? record.ReceivedAt,
            a.WindowEnd?.ToDateTimeOffset() ?? record.ReceivedAt,
            record.ReceivedAt,
            summary.Frames,
            summary.Auto,
            summary.Escalations,
            summary.Errors,
            summary.Audits,
            summary.DroppedFrames,
            a.LabelCounts.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
            Number(summary.LatencyMs(0.95)),
            Number(summary.Agreement),
            a.CpuPercent,
            a.RssBytes,
            // Only a device scoring on CUDA with the driver's NVML reports it.
            a.HasGpuMemoryBytes ? a.GpuMemoryBytes : null);
    }

    // JSON has no NaN: a figure without frames behind it is absent.
    private static double? Number(double value) => double.IsNaN(value) ? null : value;
}
