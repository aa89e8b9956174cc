using System.Text.Json.Nodes;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Tests.Packaging;

public sealed class ModelManifestTests
{
    [Fact]
    public void Applies_the_documented_defaults_to_fields_left_out()
    {
        var manifest = Parse(m =>
        {
            m.Remove("schemaVersion");
            Input(m).Remove("elementType");
            Input(m).Remove("layout");
            Input(m).Remove("colorSpace");
            Input(m).Remove("scale");
            Output(m).Remove("elementType");
            Output(m).Remove("kind");
            Input(m)["roi"] = new JsonObject { ["x"] = 0.25 };
            Input(m)["tiles"] = new JsonObject { ["label"] = "cracked" };
        });

        Assert.Equal(1, manifest.SchemaVersion);
        Assert.Equal("float32", manifest.Input.ElementType);
        Assert.Equal("NCHW", manifest.Input.Layout);
        Assert.Equal("rgb", manifest.Input.ColorSpace);
        Assert.Equal(1f / 255f, manifest.Input.Scale);
        Assert.Equal("float32", manifest.Output.ElementType);
        Assert.Equal("logits", manifest.Output.Kind);
        Assert.Equal((0.25, 0.0, 1.0, 1.0), (manifest.Input.Roi!.X, manifest.Input.Roi.Y, manifest.Input.Roi.Width, manifest.Input.Roi.Height));
        Assert.Equal((1, 1, 0.0, "max"), (manifest.Input.Tiles!.Columns, manifest.Input.Tiles.Rows, manifest.Input.Tiles.Overlap, manifest.Input.Tiles.Reduce));
    }

    [Fact]
    public void Loads_a_package_whose_manifest_leaves_out_every_field_that_has_a_default()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v2");
        EditManifest(package, m =>
        {
            m.Remove("schemaVersion");
            Input(m).Remove("elementType");
            Input(m).Remove("layout");
            Input(m).Remove("scale");
            Output(m).Remove("elementType");
            Output(m).Remove("kind");
        });

        var loaded = ModelPackage.Load(package);

        Assert.Equal("NCHW", loaded.Manifest.Input.Layout);
        Assert.Equal("logits", loaded.Manifest.Output.Kind);
    }

    [Fact]
    public void Names_every_missing_required_field_at_once()
    {
        var error = Assert.Throws<ModelPackageException>(() => Parse(m =>
        {
            m.Remove("name");
            m.Remove("version");
            m.Remove("sha256");
            m.Remove("decision");
            Input(m).Remove("mean");
            Input(m).Remove("std");
        }));

        Assert.Equal(
            [
                "name is missing",
                "version is missing",
                "input.mean is missing",
                "input.std is missing",
                "decision is missing",
                "sha256 is missing",
            ],
            error.Problems);
    }

    [Fact]
    public void Names_unknown_fields_and_the_field_they_resemble()
    {
        var error = Assert.Throws<ModelPackageException>(() => Parse(m =>
        {
            Input(m).Remove("colorSpace");
            Input(m)["color_space"] = "gray";
            Output(m)["softmax"] = true;
        }));

        Assert.Equal(
            [
                "input.color_space is not a manifest field (did you mean input.colorSpace?)",
                "output.softmax is not a manifest field",
            ],
            error.Problems);
    }

    [Fact]
    public void Names_required_fields_set_to_null()
    {
        var error = Assert.Throws<ModelPackageException>(() => Parse(m =>
        {
            m["decision"] = null;
            Input(m)["std"] = null;
            m["description"] = null;
        }));

        Assert.Equal(["input.std must not be null", "decision must not be null"], error.Problems);
    }

    [Fact]
    public void Names_the_path_of_a_value_of_the_wrong_kind()
    {
        var error = Assert.Throws<ModelPackageException>(() => Parse(m =>
        {
            Input(m)["width"] = "640";
            m["output"] = new JsonArray();
        }));

        Assert.Equal(["output must be an object, not array"], error.Problems);

        error = Assert.Throws<ModelPackageException>(() => Parse(m => Input(m)["width"] = "640"));

        Assert.StartsWith("manifest.json is not valid", error.Problems.Single(), StringComparison.Ordinal);
        Assert.Contains("$.input.width", error.Problems.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Lists_missing_and_unknown_fields_together_in_the_refusal_of_a_package()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v1");
        EditManifest(package, m =>
        {
            m.Remove("sha256");
            Input(m).Remove("width");
            Input(m)["colour"] = "gray";
        });

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(package));

        Assert.Equal(
            ["input.width is missing", "input.colour is not a manifest field", "sha256 is missing"],
            error.Problems);
    }

    [Fact]
    public void Loads_a_package_that_decides_by_bands_on_one_label()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v2");
        EditManifest(package, m => m["decision"] = new JsonObject
        {
            ["bands"] = new JsonObject { ["label"] = "cracked", ["lower"] = 0.02, ["upper"] = 0.97 },
        });

        var decision = ModelPackage.Load(package).Manifest.Decision;

        Assert.Null(decision.Thresholds);
        Assert.Equal(("cracked", 0.02, 0.97), (decision.Bands!.Label, decision.Bands.Lower, decision.Bands.Upper));
    }

    [Fact]
    public void Names_every_problem_of_the_decision_bands()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v2");
        EditManifest(package, m =>
        {
            m["decision"]!["bands"] = new JsonObject { ["label"] = "scratched", ["lower"] = 0.9, ["upper"] = 0.2 };
            m["decision"]!["passLabel"] = "good";
        });

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(package));

        Assert.Equal(
            [
                "decision needs either thresholds (one per label) or bands (on one label's probability), not both and not neither",
                "decision.bands: lower 0.9 and upper 0.2 must satisfy 0 <= lower < upper <= 1",
                "decision.bands.label 'scratched' is not an output label (ok, cracked)",
                "decision.passLabel 'good' is not an output label",
            ],
            error.Problems);
    }

    [Fact]
    public void Names_every_problem_of_the_explanation()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v2");
        EditManifest(package, m => m["explanation"] = new JsonObject { ["output"] = "logits", ["label"] = "scratched", ["kind"] = "scores" });

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(package));

        Assert.Equal(
            [
                "explanation.output 'logits' is output.name; name the model's map tensor",
                "explanation.label 'scratched' is not an output label (ok, cracked)",
                "explanation.kind 'scores' is not one of logits, probabilities",
            ],
            error.Problems);
    }

    [Fact]
    public void Names_the_explanation_fields_left_out_and_defaults_its_kind_to_logits()
    {
        var error = Assert.Throws<ModelPackageException>(() => Parse(m => m["explanation"] = new JsonObject()));
        var manifest = Parse(m => m["explanation"] = new JsonObject { ["output"] = "map", ["label"] = "cracked" });

        Assert.Equal(["explanation.output is missing", "explanation.label is missing"], error.Problems);
        Assert.Equal(("map", "cracked", "logits"), (manifest.Explanation!.Output, manifest.Explanation.Label, manifest.Explanation.Kind));
    }

    [Fact]
    public void Names_the_band_fields_left_out()
    {
        var error = Assert.Throws<ModelPackageException>(() => Parse(m => m["decision"] = new JsonObject
        {
            ["bands"] = new JsonObject { ["label"] = "cracked" },
        }));

        Assert.Equal(["decision.bands.lower is missing", "decision.bands.upper is missing"], error.Problems);
    }

    [Fact]
    public void Refuses_a_decision_without_thresholds_or_bands()
    {
        using var temp = new TempDirectory();
        var package = temp.CopyPackage("v2");
        EditManifest(package, m => m["decision"] = new JsonObject());

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(package));

        Assert.Equal(["decision needs either thresholds (one per label) or bands (on one label's probability), not both and not neither"], error.Problems);
    }

    private static ModelManifest Parse(Action<JsonObject> edit)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Package("v2"), ModelPackage.ManifestFile)))!.AsObject();
        edit(manifest);
        return ModelPackage.ParseManifest("test", System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()));
    }

    private static JsonObject Input(JsonObject manifest) => manifest["input"]!.AsObject();

    private static JsonObject Output(JsonObject manifest) => manifest["output"]!.AsObject();

    private static void EditManifest(string package, Action<JsonObject> edit)
    {
        var path = Path.Combine(package, ModelPackage.ManifestFile);
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
    }
}
