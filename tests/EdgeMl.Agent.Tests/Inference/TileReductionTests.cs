using EdgeMl.Agent.Inference;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Tests.Inference;

public sealed class TileReductionTests
{
    [Fact]
    public void Applies_softmax_to_logits()
    {
        var probabilities = new float[2];

        TileReduction.Reduce(Manifest("logits", null), [0f, MathF.Log(3)], 1, probabilities);

        Assert.Equal(0.25f, probabilities[0], 5);
        Assert.Equal(0.75f, probabilities[1], 5);
    }

    [Fact]
    public void Takes_the_tile_most_likely_to_hold_the_focus_label()
    {
        var probabilities = new float[2];
        var tiles = new TileSpec { Columns = 3, Rows = 1, Reduce = "max", Label = "cracked" };

        TileReduction.Reduce(Manifest("probabilities", tiles), [0.9f, 0.1f, 0.3f, 0.7f, 0.6f, 0.4f], 3, probabilities);

        Assert.Equal([0.3f, 0.7f], probabilities);
    }

    [Fact]
    public void Averages_tiles_for_mean()
    {
        var probabilities = new float[2];
        var tiles = new TileSpec { Columns = 2, Rows = 1, Reduce = "mean" };

        TileReduction.Reduce(Manifest("probabilities", tiles), [0.9f, 0.1f, 0.3f, 0.7f], 2, probabilities);

        Assert.Equal(0.6f, probabilities[0], 5);
        Assert.Equal(0.4f, probabilities[1], 5);
    }

    private static ModelManifest Manifest(string kind, TileSpec? tiles) => new()
    {
        Input = new InputSpec { Tiles = tiles },
        Output = new OutputSpec { Kind = kind, Labels = ["ok", "cracked"] },
    };
}
