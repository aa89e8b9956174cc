namespace EdgeMl.Fleet.Alerts;

/// <summary>The condition an alert is about: its kind, and the device and model version where it applies.</summary>
internal sealed record AlertKey(string Kind, string? DeviceId = null, string? ModelName = null, string? ModelVersion = null)
{
    /// <summary>The stored key of the open alert; the unit separator cannot occur in ids or names typed by people.</summary>
    public string OpenKey => string.Join('\u001f', Kind, DeviceId, ModelName, ModelVersion);
}
