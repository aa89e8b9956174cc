using EdgeMl.Agent.Inference;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Explanation;

/// <summary>
/// The model's own map of evidence (the manifest's <c>explanation</c>), read in the same run as its scores: one
/// inference a heatmap, where occlusion needs one per grid cell, so a model too slow for occlusion at the line's
/// rate still explains every case. The map always shows the evidence for <c>explanation.label</c>, whatever label
/// the frame was given: for a defect detector, where it saw the defect, also on a frame it passed. A tiled model
/// gives a map per tile; they are laid where their tiles lie, the larger value where tiles overlap.
/// </summary>
internal sealed class ModelMapExplainer : Explainer
{
    private readonly ExplanationSpec _spec;
    private readonly int _label;
    private readonly int _rows;
    private readonly int _columns;

    /// <exception cref="NotSupportedException">The model has no map output of the shape the manifest's explanation names (a loaded model has: <see cref="ModelContract"/>).</exception>
    public ModelMapExplainer(ModelPackage package, InferenceOptions inference)
        : base(package, inference)
    {
        var spec = Manifest.Explanation;
        var grid = spec is not null && Session.OutputMetadata.TryGetValue(spec.Output, out var meta) ? ModelContract.MapGrid(meta.Dimensions) : null;
        if (grid is null)
        {
            Dispose();
            throw new NotSupportedException($"{Manifest.Id}: explanation.output '{spec?.Output}' is not a map output of the model");
        }

        _spec = spec!;
        _label = Array.IndexOf(Manifest.Output.Labels, _spec.Label);
        (_rows, _columns) = grid.Value;
    }

    protected override ExplanationMap Compute(float[] input, int label)
    {
        using var tensor = InputTensor(input, 1);
        using var outputs = Session.Run(RunOptions, [Manifest.Input.Name], [tensor], [Manifest.Output.Name, _spec.Output]);
        Span<float> frame = stackalloc float[Manifest.Output.Labels.Length];
        TileReduction.Reduce(Manifest, outputs[0].GetTensorDataAsSpan<float>(), Tiles.Length, frame);
        var map = outputs[1].GetTensorDataAsSpan<float>();
        var logits = _spec.Kind == "logits";
        // The region's grid keeps a tile's cell size (one tile: the map's own grid); each of its cells takes, at its
        // centre, the cell of every tile that covers it, and the largest of them (a mark on a seam counts as fully as it
        // does inside the tile that holds it).
        var columns = Math.Max(1, (int)Math.Round(_columns * Region.Width / Tiles[0].Width));
        var rows = Math.Max(1, (int)Math.Round(_rows * Region.Height / Tiles[0].Height));
        var stitched = new float[rows * columns];
        for (var row = 0; row < rows; row++)
        {
            var y = Region.Y + ((row + 0.5) * Region.Height / rows);
            for (var column = 0; column < columns; column++)
            {
                var x = Region.X + ((column + 0.5) * Region.Width / columns);
                var best = 0f;
                for (var t = 0; t < Tiles.Length; t++)
                {
                    var tile = Tiles[t];
                    var (u, v) = ((x - tile.X) / tile.Width, (y - tile.Y) / tile.Height);
                    if (u is >= 0 and < 1 && v is >= 0 and < 1)
                    {
                        var cell = (t * _rows * _columns) + ((int)(v * _rows) * _columns) + (int)(u * _columns);
                        best = Math.Max(best, Probability(map[cell], logits));
                    }
                }

                stitched[(row * columns) + column] = best;
            }
        }

        return Map(ExplanationMap.ModelMap, _spec.Label, frame[_label], columns, rows, stitched);
    }

    private static float Probability(float value, bool logits) => logits ? 1f / (1f + MathF.Exp(-value)) : value;
}
