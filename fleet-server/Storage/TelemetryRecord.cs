using EdgeMl.Contracts.Telemetry;

namespace EdgeMl.Fleet.Storage;

/// <summary>
/// One aggregate as a device published it, with the device the broker tied it to and when the server stored it. <c>Payload</c>,
/// where known, is the aggregate's bytes as they arrived: stored as they are rather than serialised again.
/// </summary>
internal sealed record TelemetryRecord(string DeviceId, DateTimeOffset ReceivedAt, ModelAggregate Aggregate, byte[]? Payload = null);
