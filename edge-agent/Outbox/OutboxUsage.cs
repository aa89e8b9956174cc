namespace EdgeMl.Agent.Outbox;

/// <summary>How full the outbox is, and how much telemetry it dropped to stay within its bounds (since it was created).</summary>
public readonly record struct OutboxUsage(long Messages, long Bytes, long DroppedTelemetry);
