using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Alerts;

/// <summary>The model versions each device sent telemetry of in a window: what tells that a version's alert of a device has ended with the version.</summary>
internal sealed class RunningVersions
{
    private readonly Dictionary<string, HashSet<(string Name, string Version)>> _byDevice;

    private RunningVersions(Dictionary<string, HashSet<(string Name, string Version)>> byDevice) => _byDevice = byDevice;

    public static RunningVersions Of(IEnumerable<(string DeviceId, string Name, string Version)> subjects) =>
        new(subjects.GroupBy(s => s.DeviceId).ToDictionary(g => g.Key, g => g.Select(s => (s.Name, s.Version)).ToHashSet(), StringComparer.Ordinal));

    /// <summary>
    /// True when the alert's device sent telemetry, none of it of the alert's version: the device moved to another version.
    /// A device that sent nothing proves nothing (it may be offline for a while) and keeps its alerts.
    /// </summary>
    public bool Superseded(AlertRecord alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return alert.DeviceId is not null && _byDevice.TryGetValue(alert.DeviceId, out var versions) && !versions.Contains((alert.ModelName ?? "", alert.ModelVersion ?? ""));
    }
}
