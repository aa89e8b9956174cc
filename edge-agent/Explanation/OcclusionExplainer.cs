using EdgeMl.Agent.Inference;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Explanation;

/// <summary>
/// Occlusion sensitivity, which needs nothing from the model but its inputs and outputs: grey out one grid cell
/// of the preprocessed input at a time, score again, and record how far the label's probability falls.
/// Occluded copies go through in batches when the batch dimension is dynamic. The grid lies over the model's region
/// of interest; a tiled model has a cell greyed out in every tile that covers it.
/// </summary>
internal sealed class OcclusionExplainer : Explainer
{
    private readonly float[] _grey;
    private readonly int _columns;
    private readonly int _rows;
    private readonly int _batch;

    public OcclusionExplainer(ModelPackage package, InferenceOptions inference, ExplanationOptions options)
        : base(package, inference)
    {
        var input = Manifest.Input;
        (_columns, _rows) = RegionAspect >= 1
            ? (options.Cells, Math.Max(1, (int)Math.Round(options.Cells / RegionAspect)))
            : (Math.Max(1, (int)Math.Round(options.Cells * RegionAspect)), options.Cells);
        _grey = new float[input.Channels];
        for (var c = 0; c < input.Channels; c++)
        {
            // Mid-grey as the preprocessor would write it, so an occluded cell looks like a flat grey patch to the model.
            _grey[c] = ((128f * input.Scale) - input.Mean[c]) / input.Std[c];
        }

        try
        {
            var dynamicBatch = Session.InputMetadata[input.Name].Dimensions[0] < 0;
            _batch = dynamicBatch ? options.BatchSize : 1;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Occluded copies of the frame (each all its tiles) per ONNX Runtime run: the configured batch size, or 1 for a model with a fixed batch.</summary>
    public int BatchSize => _batch;

    protected override ExplanationMap Compute(float[] input, int label)
    {
        var cells = _columns * _rows;
        var probabilities = new float[cells + 1];
        var batch = new float[_batch * TensorLength];

        // Copy 0 of the first run is the frame untouched: the baseline every drop is measured from.
        for (var first = -1; first < cells; first += _batch)
        {
            var count = Math.Min(_batch, cells - first);
            for (var i = 0; i < count; i++)
            {
                var copy = batch.AsSpan(i * TensorLength, TensorLength);
                input.CopyTo(copy);
                if (first + i >= 0)
                {
                    Occlude(copy, first + i);
                }
            }

            Score(batch, count, label, probabilities.AsSpan(first + 1, count));
        }

        var heat = new float[cells];
        for (var i = 0; i < cells; i++)
        {
            heat[i] = probabilities[0] - probabilities[i + 1];
        }

        return Map(ExplanationMap.Occlusion, Manifest.Output.Labels[label], probabilities[0], _columns, _rows, heat);
    }

    /// <summary>Greys out <paramref name="cell"/> of the region's grid in every tile of <paramref name="tensor"/> (one frame) that covers part of it.</summary>
    private void Occlude(Span<float> tensor, int cell)
    {
        var input = Manifest.Input;
        var (width, height, channels) = (input.Width, input.Height, input.Channels);
        var (row, column) = (cell / _columns, cell % _columns);
        var (left, right) = (Region.X + (column * Region.Width / _columns), Region.X + ((column + 1) * Region.Width / _columns));
        var (top, bottom) = (Region.Y + (row * Region.Height / _rows), Region.Y + ((row + 1) * Region.Height / _rows));
        var nhwc = input.Layout == "NHWC";
        var tileLength = TensorLength / Tiles.Length;
        for (var t = 0; t < Tiles.Length; t++)
        {
            var tile = Tiles[t];
            // The cell in the tile's pixels, rounded so that cells that meet in the frame meet in the tile.
            var x0 = Math.Max(0, (int)Math.Round((left - tile.X) / tile.Width * width));
            var x1 = Math.Min(width, (int)Math.Round((right - tile.X) / tile.Width * width));
            var y0 = Math.Max(0, (int)Math.Round((top - tile.Y) / tile.Height * height));
            var y1 = Math.Min(height, (int)Math.Round((bottom - tile.Y) / tile.Height * height));
            var pixels = tensor.Slice(t * tileLength, tileLength);
            for (var c = 0; c < channels; c++)
            {
                for (var y = y0; y < y1; y++)
                {
                    for (var x = x0; x < x1; x++)
                    {
                        pixels[nhwc ? (((y * width) + x) * channels) + c : (((c * height) + y) * width) + x] = _grey[c];
                    }
                }
            }
        }
    }

    private void Score(float[] batch, int count, int label, Span<float> probabilities)
    {
        using var tensor = InputTensor(batch, count);
        using var outputs = Session.Run(RunOptions, [Manifest.Input.Name], [tensor], [Manifest.Output.Name]);
        var scores = outputs[0].GetTensorDataAsSpan<float>();
        var perFrame = Manifest.Output.Labels.Length * Tiles.Length;
        Span<float> frame = stackalloc float[Manifest.Output.Labels.Length];
        for (var i = 0; i < count; i++)
        {
            TileReduction.Reduce(Manifest, scores.Slice(i * perFrame, perFrame), Tiles.Length, frame);
            probabilities[i] = frame[label];
        }
    }
}
