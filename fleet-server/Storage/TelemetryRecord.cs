using EdgeMl.Contracts.Telemetry;

namespace EdgeMl.Fleet.Storage;

/// <summary>One aggregate as a device published it, with the device the broker tied it to and when the server stored it.</summary>
internal sealed record TelemetryRecord(string DeviceId, DateTimeOffset ReceivedAt, ModelAggregate Aggregate);
