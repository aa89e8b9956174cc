using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// Whether the agents of a rollout's devices read every field the model's manifest sets. An agent refuses a manifest
/// with a field it does not know (a package made for a newer agent, such as one naming its <c>explanation</c>), so a
/// rollout to such a device would only fail there and count against the rollout's gates. A device whose agent did not
/// say what it reads (older than the list) is taken to read it: its own check at load decides, as before.
/// </summary>
internal sealed record AgentFit(string Model, IReadOnlyList<string> Devices, IReadOnlyList<string> Fields)
{
    private const int NamedDevices = 5;

    /// <summary>The fields of <paramref name="used"/> (a manifest's <see cref="ManifestFields.Used"/>) that <paramref name="device"/>'s agent said it does not read.</summary>
    public static IReadOnlyList<string> Unread(IReadOnlyList<string> used, DeviceRecord device) =>
        device.ManifestFields is null ? [] : ManifestFields.Missing(used, device.ManifestFields.ToHashSet(StringComparer.Ordinal));

    /// <summary>The devices whose agents said they lack a field <paramref name="model"/>'s manifest sets; null when there are none.</summary>
    public static AgentFit? Unfit(ModelRecord model, IEnumerable<DeviceRecord> devices)
    {
        var used = ManifestFields.Used(model.ManifestJson);
        var unfit = devices.Select(d => (d.Id, Missing: Unread(used, d))).Where(d => d.Missing.Count > 0).ToList();
        return unfit.Count == 0
            ? null
            : new AgentFit(model.Id, [.. unfit.Select(d => d.Id)], [.. unfit.SelectMany(d => d.Missing).Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>Refuses a start, naming the fields and the devices, when any device's agent said it lacks a field the manifest sets.</summary>
    public static void Check(ModelRecord model, IReadOnlyList<DeviceRecord> devices)
    {
        if (Unfit(model, devices) is { } unfit)
        {
            throw new InvalidOperationException(
                $"{unfit.Devices.Count} of {devices.Count} devices would refuse {model.Id}: {unfit}; update those agents first, or choose a selector without them");
        }
    }

    public override string ToString() =>
        $"their agents do not read the manifest's {string.Join(", ", Fields)} ({string.Join(", ", Devices.Take(NamedDevices))}" +
        (Devices.Count > NamedDevices ? $" and {Devices.Count - NamedDevices} more: 'device list --cannot-read {Model}' lists them)" : ")");
}
