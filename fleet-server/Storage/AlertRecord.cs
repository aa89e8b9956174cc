namespace EdgeMl.Fleet.Storage;

/// <summary>One alert as stored, listed by the API and published; open while <see cref="ClearedAt"/> is null.</summary>
internal sealed record AlertRecord(
    string Id,
    string Kind,
    string? DeviceId,
    string? ModelName,
    string? ModelVersion,
    string Severity,
    string Message,
    DateTimeOffset RaisedAt,
    DateTimeOffset? ClearedAt);
