namespace EdgeMl.Fleet.Storage;

/// <summary>Which cases <see cref="CaseStore.TallyAsync(CaseTallyQuery, CancellationToken)"/> counts: one model version's, on these devices, captured at or after <see cref="Since"/>.</summary>
internal sealed record CaseTallyQuery(string ModelName, string ModelVersion, IReadOnlyCollection<string> DeviceIds, DateTimeOffset Since);
