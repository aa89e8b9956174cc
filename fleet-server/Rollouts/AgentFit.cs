using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// Whether the agents of a rollout's devices read every field the model's manifest sets. An agent refuses a manifest
/// with a field it does not know (a package made for a newer agent, such as one naming its <c>explanation</c>), so a
/// rollout to such a device would only fail there and count against the rollout's gates.
/// </summary>
internal static class AgentFit
{
    private const int NamedDevices = 5;

    /// <summary>Throws, naming the fields and the devices, when an agent said it lacks a field the manifest sets; a device whose agent did not say is let through.</summary>
    public static void Check(ModelRecord model, IReadOnlyList<DeviceRecord> devices)
    {
        var used = ManifestFields.Used(model.ManifestJson);
        var unfit = devices
            .Where(d => d.ManifestFields is not null)
            .Select(d => (d.Id, Missing: ManifestFields.Missing(used, d.ManifestFields!.ToHashSet(StringComparer.Ordinal))))
            .Where(d => d.Missing.Count > 0)
            .ToList();
        if (unfit.Count == 0)
        {
            return;
        }

        var fields = string.Join(", ", unfit.SelectMany(d => d.Missing).Distinct(StringComparer.Ordinal));
        var named = string.Join(", ", unfit.Take(NamedDevices).Select(d => d.Id)) + (unfit.Count > NamedDevices ? $" and {unfit.Count - NamedDevices} more" : "");
        throw new InvalidOperationException(
            $"{unfit.Count} of {devices.Count} devices would refuse {model.Id}: their agents do not read the manifest's {fields} ({named}); update those agents first, or choose a selector without them");
    }
}
