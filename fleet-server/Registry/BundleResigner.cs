using System.Text;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Storage;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Fleet.Registry;

/// <summary>
/// After <c>keys init</c> or <c>keys rotate</c> the registry's bundles carry a signature devices no
/// longer accept. At start, every bundle not signed by the current signing key is signed again: the
/// same manifest, model, name, version and sequence, so only the signature and the bundle's hash change.
/// A bundle whose content no longer matches its registry record is left alone, never laundered by a new signature.
/// </summary>
internal sealed partial class BundleResigner(FleetStores stores, ArtifactStore artifacts, FleetKey signer, ILogger<BundleResigner> logger)
{
    public async Task ResignAsync(CancellationToken cancellationToken)
    {
        foreach (var model in await stores.Models.ListAsync(null, cancellationToken))
        {
            var path = artifacts.PathOf(model.Name, model.Version);
            var unpacked = path + ".resign";
            try
            {
                var signature = ModelBundle.ReadSignature(path);
                if (signature is not null && signature.KeyId == signer.KeyId && signature.IsSignedBy(signer.PublicKey))
                {
                    continue;
                }

                ModelBundle.Extract(path, unpacked, ModelRegistry.MaxModelBytes);
                var manifest = await File.ReadAllBytesAsync(Path.Combine(unpacked, ModelPackage.ManifestFile), cancellationToken);
                var onnx = await File.ReadAllBytesAsync(Path.Combine(unpacked, ModelPackage.ModelFile), cancellationToken);
                if (ModelPackage.Hash(onnx) != model.ModelSha256 || Encoding.UTF8.GetString(manifest) != model.ManifestJson)
                {
                    LogNotResigned(logger, model.Id, "its content differs from the registry record");
                    continue;
                }

                var resigned = new PackageSignature
                {
                    Name = model.Name,
                    Version = model.Version,
                    Sequence = model.Sequence,
                    ManifestSha256 = ModelPackage.Hash(manifest),
                    ModelSha256 = model.ModelSha256,
                    ModelSize = onnx.Length,
                }.SignWith(signer);
                using var bundle = new MemoryStream();
                ModelBundle.Write(bundle, manifest, onnx, resigned.ToJson());
                var bytes = bundle.ToArray();
                await artifacts.WriteAsync(model.Name, model.Version, bytes, cancellationToken);
                await stores.Models.ReplaceBundleAsync(model.Name, model.Version, ModelPackage.Hash(bytes), bytes.Length, cancellationToken);
                LogResigned(logger, model.Id, signer.KeyId, signature?.KeyId ?? "none");
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                LogNotResigned(logger, model.Id, e.Message);
            }
            finally
            {
                if (Directory.Exists(unpacked))
                {
                    Directory.Delete(unpacked, recursive: true);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-signed {Model} with signing key {KeyId} (was {OldKeyId})")]
    private static partial void LogResigned(ILogger logger, string model, string keyId, string oldKeyId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The bundle of {Model} is not re-signed ({Reason}); devices will refuse it")]
    private static partial void LogNotResigned(ILogger logger, string model, string reason);
}
