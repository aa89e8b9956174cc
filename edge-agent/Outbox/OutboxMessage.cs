namespace EdgeMl.Agent.Outbox;

/// <summary>A message waiting for its acknowledgement; <see cref="Id"/> travels with it so the receiver ingests it once.</summary>
public sealed record OutboxMessage(string Id, OutboxKind Kind, byte[] Payload, DateTimeOffset CreatedAt);
