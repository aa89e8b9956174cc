namespace EdgeMl.Fleet.Storage;

/// <summary>
/// What a rollout needs of one device: the revision of its desired state and its last report (nulls where the
/// device or its desired state is gone).
/// </summary>
internal sealed record MemberReport(string DeviceId, long? DesiredRevision, string? ReportedModel, string? ReportedState, long? ReportedRevision);
