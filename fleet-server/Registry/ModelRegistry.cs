using System.Collections.Concurrent;
using System.Text;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Registry;

/// <summary>
/// Model versions: checked on push (manifest and hash), signed with the fleet key, stored as an
/// immutable bundle. The same name and version with other bytes is refused.
/// </summary>
internal sealed class ModelRegistry(FleetStores stores, FleetKey key, ArtifactStore artifacts, TimeProvider time) : IDisposable
{
    /// <summary>Largest model accepted, which also caps what a device agrees to download.</summary>
    public const long MaxModelBytes = 512L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, ModelRecord> _cache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _push = new(1, 1);

    public async Task<ModelRecord> PushAsync(byte[] manifestJson, byte[] model, string actor, CancellationToken cancellationToken)
    {
        ModelManifest manifest;
        try
        {
            manifest = ModelPackage.ParseManifest("push", manifestJson);
        }
        catch (ModelPackageException e)
        {
            throw new RegistryException(RegistryException.Reason.Invalid, e.Message);
        }

        var problems = ManifestValidator.Validate(manifest);
        var modelSha = ModelPackage.Hash(model);
        if (model.Length == 0 || model.Length > MaxModelBytes)
        {
            problems.Add($"model.onnx is {model.Length} bytes; accepted are 1 to {MaxModelBytes}");
        }
        else if (modelSha != manifest.Sha256)
        {
            problems.Add($"model.onnx has SHA-256 {modelSha} but the manifest says {manifest.Sha256}");
        }

        if (problems.Count > 0)
        {
            throw new RegistryException(RegistryException.Reason.Invalid, $"package {manifest.Id} is refused: {string.Join("; ", problems)}");
        }

        await _push.WaitAsync(cancellationToken);
        try
        {
            if (await stores.Models.GetAsync(manifest.Name, manifest.Version, cancellationToken) is { } existing)
            {
                return existing.ModelSha256 == modelSha && existing.ManifestJson == Encoding.UTF8.GetString(manifestJson)
                    ? existing
                    : throw new RegistryException(
                        RegistryException.Reason.Conflict,
                        $"{manifest.Id} is already in the registry with other bytes; a version never changes, so push these as a new version");
            }

            var sequence = (await stores.Models.ListAsync(manifest.Name, cancellationToken)).Select(m => m.Sequence).DefaultIfEmpty(0).Max() + 1;
            var signature = new PackageSignature
            {
                Name = manifest.Name,
                Version = manifest.Version,
                Sequence = sequence,
                ManifestSha256 = ModelPackage.Hash(manifestJson),
                ModelSha256 = modelSha,
                ModelSize = model.Length,
            }.SignWith(key);
            using var bundle = new MemoryStream();
            ModelBundle.Write(bundle, manifestJson, model, signature.ToJson());
            var bytes = bundle.ToArray();
            await artifacts.WriteAsync(manifest.Name, manifest.Version, bytes, cancellationToken);
            var record = await stores.Models.AddAsync(
                new ModelRecord(manifest.Name, manifest.Version, sequence, modelSha, ModelPackage.Hash(bytes), bytes.Length, time.GetUtcNow(), actor, Encoding.UTF8.GetString(manifestJson)),
                cancellationToken);
            if (record.Sequence != sequence)
            {
                // Another replica pushed this name at the same moment: the signature names a sequence the registry did not give.
                throw new RegistryException(RegistryException.Reason.Conflict, $"{manifest.Id} raced another push of {manifest.Name}; push it again");
            }
            await stores.Audit.AppendAsync(new AuditRecord(time.GetUtcNow(), actor, "model.push", record.Id, $"sequence {record.Sequence}, sha256 {modelSha}"), cancellationToken);
            return record;
        }
        finally
        {
            _push.Release();
        }
    }

    /// <summary>A model by <c>name:version</c>; models never change, so lookups are cached.</summary>
    public async Task<ModelRecord> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(id, out var cached))
        {
            return cached;
        }

        var (name, version) = ParseId(id);
        var record = await stores.Models.GetAsync(name, version, cancellationToken)
            ?? throw new RegistryException(RegistryException.Reason.NotFound, $"model {id} is not in the registry; push it first (fleet-server model push <package dir>)");
        return _cache.GetOrAdd(id, record);
    }

    public static (string Name, string Version) ParseId(string id)
    {
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 || colon == id.Length - 1
            ? throw new RegistryException(RegistryException.Reason.Invalid, $"'{id}' is not a model reference; write name:version, e.g. crack-detector:v2")
            : (id[..colon], id[(colon + 1)..]);
    }

    public void Dispose() => _push.Dispose();
}
