using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;

namespace EdgeMl.Fleet.Bench;

/// <summary>The packages the benchmark pushes: a real one from disk, and a large synthetic one for download throughput.</summary>
internal static class BenchPackage
{
    public static async Task<PushModelRequest> ReadAsync(string directory, CancellationToken cancellationToken)
    {
        var manifest = Path.Combine(directory, ModelPackage.ManifestFile);
        var model = Path.Combine(directory, ModelPackage.ModelFile);
        if (!File.Exists(manifest) || !File.Exists(model))
        {
            throw new FileNotFoundException(
                $"{directory} has no {ModelPackage.ManifestFile} and {ModelPackage.ModelFile}; train the package " +
                "(python3 models/crack-detector/training/train.py --version v2 --out models/crack-detector/v2) or pass --model <package dir>");
        }

        return new PushModelRequest
        {
            ManifestJson = ByteString.CopyFrom(await File.ReadAllBytesAsync(manifest, cancellationToken)),
            ModelOnnx = ByteString.CopyFrom(await File.ReadAllBytesAsync(model, cancellationToken)),
        };
    }

    /// <summary>
    /// <paramref name="basis"/>'s manifest under another version with random bytes as its model: the server checks
    /// only the manifest and the hash, and random bytes do not compress on the way.
    /// </summary>
    public static PushModelRequest Synthetic(PushModelRequest basis, string version, int megabytes)
    {
        ArgumentNullException.ThrowIfNull(basis);
        var model = RandomNumberGenerator.GetBytes(megabytes * 1024 * 1024);
        var manifest = JsonNode.Parse(basis.ManifestJson.ToStringUtf8())!.AsObject();
        manifest["version"] = version;
        manifest["sha256"] = ModelPackage.Hash(model);
        return new PushModelRequest
        {
            ManifestJson = ByteString.CopyFromUtf8(manifest.ToJsonString()),
            ModelOnnx = UnsafeByteOperations.UnsafeWrap(model),
        };
    }
}
