using EdgeMl.Contracts.Packaging;
using EdgeMl.Contracts.Signing;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// Unpacks a bundle into staging and lets it into &lt;data&gt;/models only when the signature of the fleet's
/// current signing key (never a revoked one) covers exactly this name, version, sequence, manifest and model. Installed packages are checked
/// the same way again before they are loaded, so a file changed on disk is caught too.
/// </summary>
internal sealed class PackageVerifier(string dataDirectory, byte[] signingPublicKey, long maxBytes)
{
    public string DirectoryOf(InstalledModel model) => Path.Combine(dataDirectory, "models", model.Name, model.Version);

    public string Install(string bundlePath, InstalledModel model)
    {
        var final = DirectoryOf(model);
        var staging = final + ".staging";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        ModelBundle.Extract(bundlePath, staging, maxBytes);
        Verify(staging, model);
        if (Directory.Exists(final))
        {
            Directory.Delete(final, recursive: true);
        }

        Directory.Move(staging, final);
        return final;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> (or <see cref="ModelPackageException"/>) saying what does not hold.</summary>
    public ModelPackage Verify(string directory, InstalledModel model)
    {
        var signaturePath = Path.Combine(directory, PackageSignature.FileName);
        var signature = File.Exists(signaturePath) ? PackageSignature.FromJson(File.ReadAllBytes(signaturePath)) : null;
        if (signature is null)
        {
            throw new InvalidDataException($"{model.Id} carries no readable signature.json: unsigned packages are refused");
        }

        if (!signature.IsSignedBy(signingPublicKey))
        {
            throw new InvalidDataException($"{model.Id}: the signature is not the fleet's current signing key's (signed by key {signature.KeyId}, this device trusts key {FleetKey.KeyIdOf(signingPublicKey)}); the package is refused");
        }

        if (signature.Name != model.Name || signature.Version != model.Version || signature.Sequence != model.Sequence)
        {
            throw new InvalidDataException($"{model.Id}: the signature is for {signature.Name}:{signature.Version} sequence {signature.Sequence}, not sequence {model.Sequence}");
        }

        var manifestHash = ModelPackage.HashFile(Path.Combine(directory, ModelPackage.ManifestFile));
        var modelPath = Path.Combine(directory, ModelPackage.ModelFile);
        if (manifestHash != signature.ManifestSha256 || ModelPackage.HashFile(modelPath) != signature.ModelSha256 || new FileInfo(modelPath).Length != signature.ModelSize)
        {
            throw new InvalidDataException($"{model.Id}: manifest.json or model.onnx differs from what the fleet signed; the package is refused");
        }

        var package = ModelPackage.Load(directory);
        if (package.Manifest.Name != model.Name || package.Manifest.Version != model.Version)
        {
            throw new InvalidDataException($"{model.Id}: the manifest says {package.Manifest.Id}");
        }

        return package;
    }
}
