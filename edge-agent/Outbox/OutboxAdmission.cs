namespace EdgeMl.Agent.Outbox;

/// <summary>What became of an enqueued message.</summary>
public enum OutboxAdmission
{
    /// <summary>Durably written; it stays until acknowledged.</summary>
    Accepted,

    /// <summary>A message with this id is already waiting; nothing was written twice.</summary>
    Duplicate,

    /// <summary>
    /// Not written: the outbox is full and holds no telemetry left to drop, or the message alone is
    /// larger than the outbox. The caller keeps responsibility for it (a case stays on the line's hold).
    /// </summary>
    Refused,
}
