namespace EdgeMl.Fleet.Storage;

/// <summary>One wave of a rollout: its planned size (e.g. <c>1</c>, <c>10%</c>), when it ran and what its gates decided.</summary>
internal sealed record RolloutWaveRecord(
    string RolloutId,
    int Index,
    string Size,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    string? Decision,
    string? GateValuesJson);
