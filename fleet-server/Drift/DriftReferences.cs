using System.Collections.Concurrent;
using System.Text.Json;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Drift;

/// <summary>The reference statistics of each model version's manifest, by signal, read from the registry once per version (a version never changes).</summary>
internal sealed class DriftReferences(FleetStores stores)
{
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, ReferenceBins>> _byModel = new(StringComparer.Ordinal);

    /// <summary>The usable reference bins of the version; empty when the version is unknown or its manifest has none.</summary>
    public async Task<IReadOnlyDictionary<string, ReferenceBins>> GetAsync(string name, string version, CancellationToken cancellationToken)
    {
        var id = $"{name}:{version}";
        if (_byModel.TryGetValue(id, out var known))
        {
            return known;
        }

        var model = await stores.Models.GetAsync(name, version, cancellationToken);
        if (model is null)
        {
            // Not cached: the version may be pushed later.
            return new Dictionary<string, ReferenceBins>();
        }

        var manifest = JsonSerializer.Deserialize(model.ManifestJson, ManifestJson.Default.ModelManifest);
        var bins = new Dictionary<string, ReferenceBins>(StringComparer.Ordinal);
        foreach (var signal in DriftSignal.All)
        {
            if (ReferenceBins.From(manifest?.ReferenceStatistics?.GetValueOrDefault(signal.Name)) is { } reference)
            {
                bins[signal.Name] = reference;
            }
        }

        return _byModel[id] = bins;
    }
}
