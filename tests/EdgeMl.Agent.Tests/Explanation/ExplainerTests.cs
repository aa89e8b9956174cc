using System.Text.Json.Nodes;
using EdgeMl.Agent.Explanation;
using EdgeMl.Agent.Imaging;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Tests.Explanation;

/// <summary>The explainer a manifest asks for: its own map, or occlusion (whose own figures are in <see cref="OcclusionExplainerTests"/>).</summary>
public sealed class ExplainerTests
{
    private static readonly InferenceOptions Cpu = new() { ExecutionProvider = ExecutionProviderKind.Cpu, WarmupRuns = 1 };

    [Fact]
    public void Model_that_declares_a_map_is_explained_by_that_map_with_its_own_grid()
    {
        using var explainer = Explainer.For(BrightSpotModel.Package("map"), Cpu, new ExplanationOptions { Cells = 16 });

        var map = explainer.Explain(BrightSpotModel.Tensor(), BrightSpotModel.SpotLabel);

        Assert.IsType<ModelMapExplainer>(explainer);
        Assert.Equal((ExplanationMap.ModelMap, "spot"), (map.Method, map.Label));
        Assert.Equal((4, 2), (map.Columns, map.Rows));
        Assert.True(map.Probability > 0.99f, $"p(spot) {map.Probability}");
        Assert.Equal((0, 2), map.Peak());
        Assert.True(map.At(0, 2) > 0.99f, $"heat at the spot {map.At(0, 2)}");
        Assert.All(map.Heat.Where((_, i) => i != 2), h => Assert.True(h < 0.01f, $"heat elsewhere {h}"));
    }

    [Fact]
    public void Map_shows_the_evidence_for_its_label_also_on_a_frame_given_the_other_label()
    {
        using var explainer = Explainer.For(BrightSpotModel.Package("map"), Cpu, new ExplanationOptions());

        var forSpot = explainer.Explain(BrightSpotModel.Tensor(), BrightSpotModel.SpotLabel);
        var forPlain = explainer.Explain(BrightSpotModel.Tensor(), 1 - BrightSpotModel.SpotLabel);

        Assert.Equal("spot", forPlain.Label);
        Assert.Equal(forSpot.Heat, forPlain.Heat);
    }

    [Fact]
    public void Model_without_a_map_is_explained_by_occlusion()
    {
        using var explainer = Explainer.For(BrightSpotModel.Package("dynamic"), Cpu, new ExplanationOptions { Cells = 4 });

        var map = explainer.Explain(BrightSpotModel.Tensor(), BrightSpotModel.SpotLabel);

        Assert.IsType<OcclusionExplainer>(explainer);
        Assert.Equal(ExplanationMap.Occlusion, map.Method);
    }

    [Fact]
    public void Package_whose_explanation_names_an_output_the_model_lacks_gets_no_explainer()
    {
        using var temp = new TempDirectory();
        var folder = temp.File("package");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root, "tests", "EdgeMl.Agent.Tests", "Explanation", "Assets", "bright-spot-dynamic")))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        var manifest = Path.Combine(folder, ModelPackage.ManifestFile);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"sha256\"", "\"explanation\": {\"output\": \"map\", \"label\": \"spot\"}, \"sha256\"", StringComparison.Ordinal));

        var error = Assert.Throws<NotSupportedException>(() => Explainer.For(ModelPackage.Load(folder), Cpu, new ExplanationOptions()));

        Assert.Equal("bright-spot:dynamic: explanation.output 'map' is not a map output of the model", error.Message);
    }

    [Theory]
    [InlineData("dynamic")]
    [InlineData("map")]
    public void Cancelled_explanation_stops_with_OperationCanceledException_and_the_next_one_runs(string version)
    {
        using var explainer = Explainer.For(BrightSpotModel.Package(version), Cpu, new ExplanationOptions { Cells = 4 });
        using var stopped = new CancellationTokenSource();
        stopped.Cancel();

        Assert.Throws<OperationCanceledException>(() => explainer.Explain(BrightSpotModel.Png(), BrightSpotModel.SpotLabel, stopped.Token, out _));
        var map = explainer.Explain(BrightSpotModel.Png(), BrightSpotModel.SpotLabel, CancellationToken.None, out var error);

        Assert.Null(error);
        Assert.Equal((0, 2), map!.Peak());
    }

    [Fact]
    public void Map_of_a_model_with_a_region_of_interest_lies_over_that_region()
    {
        using var temp = new TempDirectory();
        using var explainer = Explainer.For(MapPackage(temp, input => input["roi"] = new JsonObject { ["x"] = 0.5, ["width"] = 0.5 }), Cpu, new ExplanationOptions());

        // 32x8: the right half is the model's 16x8 frame, its spot where the model reads it.
        var map = explainer.Explain(BrightSpotModel.Png(32, 16), BrightSpotModel.SpotLabel, CancellationToken.None, out var error);

        Assert.Null(error);
        Assert.Equal((4, 2, (0, 2)), (map!.Columns, map.Rows, map.Peak()));
        Assert.Equal(new TileLayout.Rect(0.5, 0, 0.5, 1), map.Region);
        Assert.Equal(4.0, map.FrameAspect, 1e-9);
    }

    [Fact]
    public void Maps_of_a_tiled_model_are_laid_where_their_tiles_lie()
    {
        using var temp = new TempDirectory();
        var tiles = new JsonObject { ["columns"] = 2, ["rows"] = 1, ["reduce"] = "max", ["label"] = "spot" };
        using var explainer = Explainer.For(MapPackage(temp, input => input["tiles"] = tiles), Cpu, new ExplanationOptions());

        // Two 16x8 tiles side by side; the spot lies in the right one, where the model reads it.
        var map = explainer.Explain(BrightSpotModel.Png(32, 16), BrightSpotModel.SpotLabel, CancellationToken.None, out var error);

        Assert.Null(error);
        Assert.IsType<ModelMapExplainer>(explainer);
        Assert.True(map!.Probability > 0.99f, $"p(spot) {map.Probability}");
        Assert.Equal((8, 2), (map.Columns, map.Rows));
        Assert.Equal((0, 6), map.Peak());
        Assert.All(map.Heat.Where((_, i) => i != 6), h => Assert.True(h < 0.01f, $"heat elsewhere {h}"));
        Assert.Equal(new TileLayout.Rect(0, 0, 1, 1), map.Region);
        Assert.Equal(4.0, map.FrameAspect, 1e-9);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0.25)]
    public void Occlusion_of_a_tiled_model_greys_a_cell_in_every_tile_that_covers_it(double overlap)
    {
        using var temp = new TempDirectory();
        var folder = temp.File("package");
        CopyAsset("bright-spot-dynamic", folder);
        EditInput(folder, input => input["tiles"] = new JsonObject { ["columns"] = 2, ["overlap"] = overlap, ["reduce"] = "max", ["label"] = "spot" });
        // Tiles of 16x8 in a frame of 32x8 less the overlap, the spot where the right tile's model reads it, and cells
        // of 4x4 pixels, as the spot is.
        var width = (int)Math.Round(32 - (16 * overlap));
        var spotAt = width - 16;
        using var explainer = Explainer.For(ModelPackage.Load(folder), Cpu, new ExplanationOptions { Cells = width / 4 });

        var map = explainer.Explain(BrightSpotModel.Png(width, spotAt), BrightSpotModel.SpotLabel, CancellationToken.None, out var error);

        Assert.Null(error);
        Assert.IsType<OcclusionExplainer>(explainer);
        Assert.Equal(ExplanationMap.Occlusion, map!.Method);
        Assert.True(map.Probability > 0.99f, $"p(spot) {map.Probability}");
        Assert.Equal((width / 4, 2), (map.Columns, map.Rows));
        var spot = (spotAt + 8) / 4;
        Assert.Equal((0, spot), map.Peak());
        Assert.True(map.At(0, spot) > 0.99f, $"the drop at the spot {map.At(0, spot)}");
        Assert.All(map.Heat.Where((_, i) => i != spot), h => Assert.True(h < 0.01f, $"a drop elsewhere {h}"));
    }

    private static ModelPackage MapPackage(TempDirectory temp, Action<JsonObject> edit)
    {
        var folder = temp.File("package");
        CopyAsset("bright-spot-map", folder);
        EditInput(folder, edit);
        return ModelPackage.Load(folder);
    }

    private static void CopyAsset(string asset, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root, "tests", "EdgeMl.Agent.Tests", "Explanation", "Assets", asset)))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }
    }

    private static void EditInput(string folder, Action<JsonObject> edit)
    {
        var path = Path.Combine(folder, ModelPackage.ManifestFile);
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(manifest["input"]!.AsObject());
        File.WriteAllText(path, manifest.ToJsonString());
    }

    /// <summary>The scoring path binds only the label output of a model that has a map too, and gets the same probabilities as the map's run.</summary>
    [Theory]
    [InlineData("bright-spot-map", "spot")]
    [InlineData("v3", "cracked")]
    public async Task Scoring_path_scores_a_model_with_a_map_output_as_its_explainer_does(string package, string label)
    {
        var loaded = package == "v3" ? ModelPackage.Load(Repo.Package("v3")) : BrightSpotModel.Package("map");
        var frame = package == "v3"
            ? await File.ReadAllBytesAsync(Path.Combine(Repo.Models, "samples", "00002_cracked.jpg"))
            : BrightSpotModel.Png();
        using var model = LoadedModel.Load(loaded, Cpu);
        using var buffers = model.CreateBuffers();
        Assert.Null(model.CreatePreprocessor().Preprocess(frame, buffers.Input));
        var probabilities = new float[model.Labels.Count];
        using var explainer = Explainer.For(loaded, Cpu, new ExplanationOptions());

        model.Score(buffers, probabilities);
        var map = explainer.Explain(frame, 0, CancellationToken.None, out var error);

        Assert.Null(error);
        Assert.Equal((ExplanationMap.ModelMap, label), (map!.Method, map.Label));
        Assert.Equal(probabilities[Array.IndexOf(loaded.Manifest.Output.Labels, label)], map.Probability, 1e-5f);
        Assert.True(map.Heat.Max() - map.Heat.Min() > 0.1f, $"the map is flat: {map.Heat.Min()} to {map.Heat.Max()}");
    }
}
