using System.Text.Json.Nodes;
using EdgeMl.Agent.Inference;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Agent.Tests.Infrastructure;

namespace EdgeMl.Agent.Tests.Packaging;

public sealed class ModelPackageTests
{
    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    [InlineData("v3")]
    public void Loads_the_bundled_packages(string version)
    {
        var package = ModelPackage.Load(Repo.Package(version));

        Assert.Equal("crack-detector", package.Manifest.Name);
        Assert.Equal(version, package.Manifest.Version);
        Assert.Equal(["ok", "cracked"], package.Manifest.Output.Labels);
    }

    [Fact]
    public void Refuses_package_whose_hash_does_not_match()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v1");
        using (var model = File.OpenWrite(Path.Combine(package, ModelPackage.ModelFile)))
        {
            model.Seek(-1, SeekOrigin.End);
            model.WriteByte(0x5a);
        }

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(package));

        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        Assert.Contains("the model file was changed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_package_without_model_file()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v1");
        File.Delete(Path.Combine(package, ModelPackage.ModelFile));

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(package));

        Assert.Equal(["model.onnx is missing"], error.Problems);
    }

    [Fact]
    public void Refuses_manifest_that_is_not_json()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v1");
        File.WriteAllText(Path.Combine(package, ModelPackage.ManifestFile), "{ \"name\": ");

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(package));

        Assert.StartsWith("manifest.json is not valid", error.Problems.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_every_manifest_problem_at_once()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v1");
        EditManifest(package, m =>
        {
            m["input"]!["channels"] = 3;
            m["input"]!["std"] = new JsonArray(0.0);
            m["output"]!["labels"] = new JsonArray("ok", "ok");
            m["decision"]!["thresholds"] = new JsonObject { ["ok"] = 1.5 };
        });

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(package));

        Assert.Contains(error.Problems, p => p.Contains("colorSpace 'gray' has 1", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("std values must be positive", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("duplicates", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("must be between 0 and 1", StringComparison.Ordinal));
        Assert.True(error.Problems.Count >= 4);
    }

    [Theory]
    [InlineData("name", "input", "input 'input' is not in the model, whose inputs are: image")]
    [InlineData("width", 300, "the manifest says NCHW [N,1,224,300]")]
    [InlineData("elementType", "float16", "input.elementType 'float16' is not supported")]
    public void Refuses_manifest_that_does_not_describe_the_model_input(string key, object value, string expected)
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v1");
        EditManifest(package, m => m["input"]![key] = JsonValue.Create(value));

        var error = Assert.Throws<ModelPackageException>(() => Load(package));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_manifest_with_more_labels_than_the_model_outputs()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v1");
        EditManifest(package, m =>
        {
            m["output"]!["labels"] = new JsonArray("ok", "cracked", "scratched");
            m["decision"]!["thresholds"]!["scratched"] = 0.9;
        });

        var error = Assert.Throws<ModelPackageException>(() => Load(package));

        Assert.Contains("output 'logits' has shape [?,2] in the model, the manifest says [N,3]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_manifest_naming_an_output_the_model_lacks()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v1");
        EditManifest(package, m => m["output"]!["name"] = "probabilities");

        var error = Assert.Throws<ModelPackageException>(() => Load(package));

        Assert.Contains("output 'probabilities' is not in the model, whose outputs are: logits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_manifest_whose_explanation_names_an_output_the_model_lacks()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v1");
        EditManifest(package, m => m["explanation"] = new JsonObject { ["output"] = "map", ["label"] = "cracked" });

        var error = Assert.Throws<ModelPackageException>(() => Load(package));

        Assert.Contains("explanation.output 'map' is not in the model, whose outputs are: logits", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { -1, 1, 68, 120 }, 68, 120)]
    [InlineData(new[] { 1, 2, 4 }, 2, 4)]
    [InlineData(new[] { -1, 2 }, 0, 0)]
    [InlineData(new[] { -1, 3, 2, 4 }, 0, 0)]
    [InlineData(new[] { -1, 1, -1, 4 }, 0, 0)]
    public void Explanation_map_is_one_plane_of_fixed_rows_and_columns(int[] shape, int rows, int columns)
    {
        Assert.Equal(rows == 0 ? null : (rows, columns), ModelContract.MapGrid(shape));
    }

    private static LoadedModel Load(string package) =>
        LoadedModel.Load(ModelPackage.Load(package), new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu, WarmupRuns = 1 });

    private static void EditManifest(string package, Action<JsonObject> edit)
    {
        var path = Path.Combine(package, ModelPackage.ManifestFile);
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
    }
}
