using System.Text.Json;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Bench;
using EdgeMl.Fleet.Drift;
using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Drift;

public sealed class ReferenceBinsTests
{
    internal static ModelManifest Manifest { get; } = JsonSerializer.Deserialize(
        File.ReadAllText(Path.Combine(RepoPaths.Root, "models", "crack-detector", "v3", "manifest.json")), ManifestJson.Default.ModelManifest)!;

    [Fact]
    public void Agent_histograms_fold_onto_the_manifest_bins_with_values_beyond_the_edges_in_the_end_bins()
    {
        var brightness = ReferenceBins.From(Manifest.ReferenceStatistics!["brightness"])!;
        var sharpness = ReferenceBins.From(Manifest.ReferenceStatistics["sharpness"])!;
        var confidence = ReferenceBins.From(Manifest.ReferenceStatistics["confidence"])!;

        var b = new Histogram(SimulatedCamera.Brightness);
        foreach (var value in new[] { 0, 15.9, 16, 17, 255, 300 })
        {
            b.Record(value);
        }

        var s = new Histogram(SimulatedCamera.Sharpness);
        s.Record(31);
        s.Record(50);
        var c = new Histogram(BucketLayout.Probability);
        c.Record(0.3);
        c.Record(0.56);
        c.Record(1.0);

        Assert.Equal([2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], brightness.Fold(b)!);
        Assert.Equal(2, sharpness.Fold(s)![^1]);
        Assert.Equal([1, 1, 0, 0, 0, 0, 0, 0, 0, 1], confidence.Fold(c)!);
    }

    [Fact]
    public void A_layout_whose_buckets_straddle_the_reference_edges_does_not_fold()
    {
        var brightness = ReferenceBins.From(Manifest.ReferenceStatistics!["brightness"])!;
        var coarse = new Histogram(BucketLayout.Linear(0, 256, 10));
        coarse.Record(100);

        Assert.Null(brightness.Fold(coarse));
    }

    [Fact]
    public void Population_stability_is_near_zero_for_equal_shares_and_grows_with_the_shift()
    {
        double[] reference = [10, 20, 40, 20, 10];

        Assert.True(PopulationStability.Index(reference, [20, 40, 80, 40, 20]) < 0.001);
        Assert.True(PopulationStability.Index(reference, [20, 40, 20, 10, 10]) > PopulationStability.Index(reference, [10, 25, 40, 15, 10]));
    }
}
