namespace EdgeMl.Agent.Outbox;

/// <summary>The <c>Outbox</c> section: where the outbox lives and how much it may hold.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>The SQLite file; empty means <c>outbox.db</c> in the agent's data directory.</summary>
    public string Path { get; set; } = "";

    /// <summary>Payload bytes held at most; beyond it the oldest telemetry goes.</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Messages held at most; beyond it the oldest telemetry goes.</summary>
    public long MaxMessages { get; set; } = 100_000;
}
