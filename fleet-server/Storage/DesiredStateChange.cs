namespace EdgeMl.Fleet.Storage;

/// <summary>A new desired state for one device; the store gives it the next revision.</summary>
internal sealed record DesiredStateChange(
    string DeviceId,
    string? ActiveModel,
    string? ShadowModel,
    string? RolloutId,
    bool Rollback,
    bool HoldSwitch);
