using EdgeMl.Agent.Explanation;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Tests.Explanation;

public sealed class OcclusionExplainerTests
{
    private static readonly InferenceOptions Cpu = new() { ExecutionProvider = ExecutionProviderKind.Cpu };

    [Fact]
    public void Heat_falls_only_on_the_cell_the_model_reads()
    {
        using var explainer = new OcclusionExplainer(BrightSpotModel.Package("dynamic"), Cpu, new ExplanationOptions { Cells = 4 });

        var map = explainer.Explain(BrightSpotModel.Tensor(), BrightSpotModel.SpotLabel);

        Assert.Equal((4, 2), (map.Columns, map.Rows));
        Assert.Equal("spot", map.Label);
        Assert.True(map.Probability > 0.99f, $"baseline p(spot) {map.Probability}");
        Assert.Equal((0, 2), map.Peak());
        Assert.True(map.At(0, 2) > 0.95f, $"heat at the spot {map.At(0, 2)}");
        Assert.All(map.Heat.Where((_, i) => i != 2), h => Assert.True(Math.Abs(h) < 0.01f, $"heat elsewhere {h}"));
    }

    [Fact]
    public void Model_with_a_fixed_batch_is_explained_one_copy_at_a_time_with_the_same_map()
    {
        var options = new ExplanationOptions { Cells = 4, BatchSize = 3 };
        using var dynamic = new OcclusionExplainer(BrightSpotModel.Package("dynamic"), Cpu, options);
        using var fixedBatch = new OcclusionExplainer(BrightSpotModel.Package("fixed"), Cpu, options);

        var batched = dynamic.Explain(BrightSpotModel.Tensor(), BrightSpotModel.SpotLabel);
        var single = fixedBatch.Explain(BrightSpotModel.Tensor(), BrightSpotModel.SpotLabel);

        Assert.Equal(3, dynamic.BatchSize);
        Assert.Equal(1, fixedBatch.BatchSize);
        Assert.Equal(batched.Heat, single.Heat, (a, b) => Math.Abs(a - b) < 1e-5f);
    }

    [Fact]
    public void Encoded_frame_goes_through_the_scoring_decoder_and_an_undecodable_one_is_a_reason()
    {
        using var explainer = new OcclusionExplainer(BrightSpotModel.Package("dynamic"), Cpu, new ExplanationOptions { Cells = 4 });

        var map = explainer.Explain(BrightSpotModel.Png(), BrightSpotModel.SpotLabel, CancellationToken.None, out var error);
        var none = explainer.Explain("not an image"u8, BrightSpotModel.SpotLabel, CancellationToken.None, out var reason);

        Assert.Null(error);
        Assert.Equal((0, 2), map!.Peak());
        Assert.Null(none);
        Assert.Contains("not a decodable image", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Occluding_part_of_a_cracked_frame_lowers_v2s_cracked_probability_and_the_map_is_not_uniform()
    {
        var package = ModelPackage.Load(Repo.Package("v2"));
        var cracked = Array.IndexOf(package.Manifest.Output.Labels, "cracked");
        using var explainer = new OcclusionExplainer(package, Cpu, new ExplanationOptions());
        var frame = await File.ReadAllBytesAsync(Path.Combine(Repo.Models, "samples", "00002_cracked.jpg"));

        var map = explainer.Explain(frame, cracked, CancellationToken.None, out var error);

        Assert.Null(error);
        Assert.Equal((16, 9), (map!.Columns, map.Rows));
        Assert.True(map.Heat.Max() > 0.01f, $"no cell lowers p(cracked) {map.Probability} noticeably; largest drop {map.Heat.Max()}");
        Assert.True(map.Heat.Max() - map.Heat.Min() > 0.01f, "the heatmap is uniform");
    }
}
