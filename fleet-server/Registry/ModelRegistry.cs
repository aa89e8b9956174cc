using System.Collections.Concurrent;
using System.Text;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Registry;

/// <summary>
/// Model versions: checked on push (manifest and hash), signed with the fleet key, stored as an
/// immutable bundle. The same name and version with other bytes is refused; with the same bytes the
/// push is answered with the stored version, after its bundle is checked (and restored when damaged).
/// </summary>
internal sealed class ModelRegistry(FleetStores stores, FleetKey key, ArtifactStore artifacts, TimeProvider time)
{
    /// <summary>Largest model accepted, which also caps what a device agrees to download.</summary>
    public const long MaxModelBytes = 512L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, ModelRecord> _cache = new(StringComparer.Ordinal);

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

        var package = new Package(manifest.Name, manifest.Version, manifestJson, model, modelSha);
        if (await stores.Models.GetAsync(package.Name, package.Version, cancellationToken) is { } existing)
        {
            return await PushedAgainAsync(existing, package, actor, cancellationToken);
        }

        ModelRecord record;
        try
        {
            // Sequence, signature, bundle and record in one transaction: the stored sequence is the signed one, and the
            // bundle is on disk before the version exists (a crash in between leaves a file the next push overwrites).
            record = await stores.Models.AddAsync(
                package.Name,
                package.Version,
                async sequence =>
                {
                    var bundle = Seal(package, sequence);
                    await artifacts.WriteAsync(package.Name, package.Version, bundle, cancellationToken);
                    return new ModelRecord(
                        package.Name, package.Version, sequence, modelSha, ModelPackage.Hash(bundle), bundle.Length, time.GetUtcNow(), actor, package.ManifestText);
                },
                cancellationToken);
        }
        catch (DuplicateModelException)
        {
            // Another push of this version (another replica) was stored first: answer as if this one came second.
            var winner = await stores.Models.GetAsync(package.Name, package.Version, cancellationToken)
                ?? throw new RegistryException(RegistryException.Reason.Conflict, $"{manifest.Id} was pushed at the same moment by another caller; push it again");
            return await PushedAgainAsync(winner, package, actor, cancellationToken);
        }

        await stores.Audit.AppendAsync(new AuditRecord(time.GetUtcNow(), actor, "model.push", record.Id, $"sequence {record.Sequence}, sha256 {modelSha}"), cancellationToken);
        return record;
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

    /// <summary>
    /// The same version once more: refused with other bytes; with the same bytes its bundle is checked and, when missing or
    /// damaged, written again (the same key signs the same statement into the same bytes).
    /// </summary>
    private async Task<ModelRecord> PushedAgainAsync(ModelRecord existing, Package package, string actor, CancellationToken cancellationToken)
    {
        if (existing.ModelSha256 != package.ModelSha256 || existing.ManifestJson != package.ManifestText)
        {
            throw new RegistryException(
                RegistryException.Reason.Conflict,
                $"{existing.Id} is already in the registry with other bytes; a version never changes, so push these as a new version");
        }

        if (await artifacts.HashAsync(existing.Name, existing.Version, cancellationToken) == existing.BundleSha256)
        {
            return existing;
        }

        var bundle = Seal(package, existing.Sequence);
        if (ModelPackage.Hash(bundle) != existing.BundleSha256)
        {
            throw new RegistryException(
                RegistryException.Reason.Conflict,
                $"the stored bundle of {existing.Id} is missing or damaged and these bytes do not rebuild it (was the fleet key replaced?); push them as a new version");
        }

        await artifacts.WriteAsync(existing.Name, existing.Version, bundle, cancellationToken);
        await stores.Audit.AppendAsync(
            new AuditRecord(time.GetUtcNow(), actor, "model.repair", existing.Id, $"missing or damaged bundle written again, sha256 {existing.BundleSha256}"), cancellationToken);
        return existing;
    }

    private byte[] Seal(Package package, long sequence)
    {
        var signature = new PackageSignature
        {
            Name = package.Name,
            Version = package.Version,
            Sequence = sequence,
            ManifestSha256 = ModelPackage.Hash(package.ManifestJson),
            ModelSha256 = package.ModelSha256,
            ModelSize = package.Model.Length,
        }.SignWith(key);
        using var bundle = new MemoryStream();
        ModelBundle.Write(bundle, package.ManifestJson, package.Model, signature.ToJson());
        return bundle.ToArray();
    }

    private sealed record Package(string Name, string Version, byte[] ManifestJson, byte[] Model, string ModelSha256)
    {
        public string ManifestText { get; } = Encoding.UTF8.GetString(ManifestJson);
    }
}
