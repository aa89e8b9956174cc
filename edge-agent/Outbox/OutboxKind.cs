namespace EdgeMl.Agent.Outbox;

/// <summary>What a message is; decides whether it may be dropped to make room (only telemetry may).</summary>
public enum OutboxKind
{
    Telemetry,
    Status,
    Event,
    Case,
}
