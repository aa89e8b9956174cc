namespace EdgeMl.Fleet.Storage;

/// <summary>A model version in the registry; immutable once pushed.</summary>
internal sealed record ModelRecord(
    string Name,
    string Version,
    long Sequence,
    string ModelSha256,
    string BundleSha256,
    long BundleSize,
    DateTimeOffset PushedAt,
    string PushedBy,
    string ManifestJson)
{
    public string Id => $"{Name}:{Version}";
}

/// <summary>An enrolled device and the last status it reported.</summary>
internal sealed record DeviceRecord(
    string Id,
    string SecretHash,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset EnrolledAt,
    string Hostname,
    string AgentVersion,
    DateTimeOffset? LastSeenAt,
    string? ActiveModel,
    string? ReportedModel,
    string? ReportedState,
    string? ReportedReason,
    long ReportedRevision,
    string? ExecutionProvider,
    DateTimeOffset? LastReportAt);

/// <summary>What a device reported about a model: downloading, verifying, warming, ready, active or failed; no model (null) when its desired state has none.</summary>
internal sealed record DeviceReport(
    string DeviceId,
    long Revision,
    string? Model,
    string State,
    string? Reason,
    string? ExecutionProvider,
    string? AgentVersion,
    DateTimeOffset At);

/// <summary>The state the server wants a device in; Revision grows by one with every change.</summary>
internal sealed record DesiredStateRecord(
    string DeviceId,
    long Revision,
    string? ActiveModel,
    string? ShadowModel,
    string? RolloutId,
    bool Rollback,
    bool HoldSwitch,
    DateTimeOffset UpdatedAt);

internal sealed record RolloutRecord(
    string Id,
    string Model,
    string? PreviousModel,
    string Selector,
    string Mode,
    string Waves,
    long BakeSeconds,
    string GatesJson,
    string State,
    int CurrentWave,
    DateTimeOffset? WaveStartedAt,
    string? Reason,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt);

/// <summary>
/// A device taken into a rollout, the wave that took it, the model it ran before (what a rollback returns it to), and
/// when the engine first saw it run the rollout's model (probation and the silence timeout count from there).
/// </summary>
internal sealed record RolloutDeviceRecord(string RolloutId, string DeviceId, int Wave, string? PreviousModel, DateTimeOffset AddedAt, DateTimeOffset? SwitchedAt = null);

internal sealed record AuditRecord(DateTimeOffset At, string Actor, string Action, string Subject, string Detail);
