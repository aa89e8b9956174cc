using EdgeMl.Contracts.Telemetry;

namespace EdgeMl.Fleet.Storage;

/// <summary>Which stored aggregates to read; a null field does not filter. Windows match when they end after <see cref="Since"/> and at or before <see cref="Until"/>.</summary>
internal sealed record TelemetryQuery
{
    public IReadOnlyCollection<string>? DeviceIds { get; init; }

    public string? ModelName { get; init; }

    public string? ModelVersion { get; init; }

    public ModelRole? Role { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Until { get; init; }

    /// <summary>At most this many rows, the newest windows kept.</summary>
    public int Limit { get; init; } = 10_000;
}
