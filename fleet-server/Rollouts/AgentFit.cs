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

    /// <summary>
    /// For each device that said what its agent reads (<see cref="DeviceStore.ManifestFieldsAsync"/>), the fields of
    /// <paramref name="manifestJson"/> it does not read; a device that reads them all, or did not say, is absent.
    /// </summary>
    public static Dictionary<string, IReadOnlyList<string>> Unread(string manifestJson, IReadOnlyDictionary<string, IReadOnlyList<string>> read)
    {
        var used = ManifestFields.Used(manifestJson);
        // Devices of one agent build share one list: compare each list once.
        var missing = new Dictionary<IReadOnlyList<string>, IReadOnlyList<string>>(ReferenceEqualityComparer.Instance);
        var unread = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (device, fields) in read)
        {
            if (!missing.TryGetValue(fields, out var lacks))
            {
                missing[fields] = lacks = ManifestFields.Missing(used, fields.ToHashSet(StringComparer.Ordinal));
            }

            if (lacks.Count > 0)
            {
                unread[device] = lacks;
            }
        }

        return unread;
    }

    /// <summary>Those of <paramref name="devices"/> whose agents said they lack a field <paramref name="model"/>'s manifest sets; null when there are none.</summary>
    public static AgentFit? Unfit(ModelRecord model, IEnumerable<string> devices, IReadOnlyDictionary<string, IReadOnlyList<string>> read)
    {
        var unread = Unread(model.ManifestJson, read);
        var unfit = devices.Where(unread.ContainsKey).ToList();
        return unfit.Count == 0
            ? null
            : new AgentFit(model.Id, unfit, [.. unfit.SelectMany(d => unread[d]).Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>Why a start to <paramref name="selected"/> devices is refused, these among them: the fields, the devices and the ways on; <paramref name="skipping"/> when they were to be left out and no other device is left.</summary>
    public string Refusal(int selected, bool skipping) =>
        $"{Devices.Count} of {selected} devices would refuse {Model}: {this}; " +
        (skipping ? "no other device is left to roll out to: update those agents first" : "update those agents first, choose a selector without them, or leave them out (--skip-old-agents)");

    public override string ToString() =>
        $"their agents do not read the manifest's {string.Join(", ", Fields)} ({string.Join(", ", Devices.Take(NamedDevices))}" +
        (Devices.Count > NamedDevices ? $" and {Devices.Count - NamedDevices} more: 'device list --cannot-read {Model}' lists them)" : ")");
}
