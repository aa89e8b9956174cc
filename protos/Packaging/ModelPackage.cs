using System.Security.Cryptography;
using System.Text.Json;

namespace EdgeMl.Contracts.Packaging;

/// <summary>A model version on disk: <c>manifest.json</c> + <c>model.onnx</c>, checked as one.</summary>
public sealed class ModelPackage
{
    public const string ManifestFile = "manifest.json";
    public const string ModelFile = "model.onnx";

    private ModelPackage(string directory, ModelManifest manifest)
    {
        Directory = directory;
        Manifest = manifest;
    }

    public string Directory { get; }

    public ModelManifest Manifest { get; }

    public string ModelPath => Path.Combine(Directory, ModelFile);

    /// <summary>Reads and validates the manifest and checks the model's hash; throws <see cref="ModelPackageException"/> with every problem found.</summary>
    public static ModelPackage Load(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new ModelPackageException(directory, ["the directory does not exist"]);
        }

        var manifestPath = Path.Combine(full, ManifestFile);
        var modelPath = Path.Combine(full, ModelFile);
        var missing = new[] { manifestPath, modelPath }.Where(p => !File.Exists(p)).Select(p => $"{Path.GetFileName(p)} is missing").ToList();
        if (missing.Count > 0)
        {
            throw new ModelPackageException(directory, missing);
        }

        var manifest = ReadManifest(directory, manifestPath);
        var problems = ManifestValidator.Validate(manifest);
        var actualHash = HashFile(modelPath);
        if (!string.Equals(actualHash, manifest.Sha256, StringComparison.Ordinal))
        {
            problems.Add($"model.onnx has SHA-256 {actualHash} but the manifest says {manifest.Sha256}: the model file was changed or belongs to another package");
        }

        if (problems.Count > 0)
        {
            throw new ModelPackageException(directory, problems);
        }

        return new ModelPackage(full, manifest);
    }

    public static ModelManifest ReadManifest(string packagePath, string manifestPath) =>
        ParseManifest(packagePath, File.ReadAllBytes(manifestPath));

    /// <summary>Reads a manifest, its defaults applied; throws <see cref="ModelPackageException"/> naming every missing, unknown or null field.</summary>
    public static ModelManifest ParseManifest(string packagePath, ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            using var document = JsonDocument.ParseValue(ref reader);
            // Reading on throws on anything after the manifest object, as a plain Deserialize would.
            _ = reader.Read();
            var problems = ManifestFieldCheck.Check(document.RootElement);
            if (problems.Count > 0)
            {
                throw new ModelPackageException(packagePath, problems);
            }

            return document.RootElement.Deserialize(ManifestJson.Default.ModelManifest)!;
        }
        catch (JsonException e)
        {
            throw new ModelPackageException(packagePath, [$"manifest.json is not valid: {e.Message}"]);
        }
    }

    public static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
