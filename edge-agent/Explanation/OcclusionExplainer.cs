using EdgeMl.Agent.Inference;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Explanation;

/// <summary>
/// Occlusion sensitivity, which needs nothing from the model but its inputs and outputs: grey out one grid cell
/// of the preprocessed input at a time, score again, and record how far the label's probability falls.
/// Occluded copies go through in batches when the batch dimension is dynamic.
/// </summary>
internal sealed class OcclusionExplainer : Explainer
{
    private readonly float[] _grey;
    private readonly int _columns;
    private readonly int _rows;
    private readonly int _batch;

    /// <exception cref="NotSupportedException">The model splits frames into tiles: greying a cell of the frame would mean greying it in every tile that covers it, which this does not do.</exception>
    public OcclusionExplainer(ModelPackage package, InferenceOptions inference, ExplanationOptions options)
        : base(package, inference)
    {
        var input = Manifest.Input;
        if (Tiles.Length > 1)
        {
            Dispose();
            throw new NotSupportedException($"{Manifest.Id} scores frames in tiles and names no explanation map; occlusion heatmaps cover untiled inputs only");
        }

        (_columns, _rows) = input.Width >= input.Height
            ? (options.Cells, Math.Max(1, (int)Math.Round((double)options.Cells * input.Height / input.Width)))
            : (Math.Max(1, (int)Math.Round((double)options.Cells * input.Width / input.Height)), options.Cells);
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

    /// <summary>Occluded copies per ONNX Runtime run: the configured batch size, or 1 for a model with a fixed batch.</summary>
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

    private void Occlude(Span<float> tensor, int cell)
    {
        var input = Manifest.Input;
        var (width, height, channels) = (input.Width, input.Height, input.Channels);
        var (row, column) = (cell / _columns, cell % _columns);
        int x0 = column * width / _columns, x1 = (column + 1) * width / _columns;
        int y0 = row * height / _rows, y1 = (row + 1) * height / _rows;
        var nhwc = input.Layout == "NHWC";
        for (var c = 0; c < channels; c++)
        {
            for (var y = y0; y < y1; y++)
            {
                for (var x = x0; x < x1; x++)
                {
                    tensor[nhwc ? (((y * width) + x) * channels) + c : (((c * height) + y) * width) + x] = _grey[c];
                }
            }
        }
    }

    private void Score(float[] batch, int count, int label, Span<float> probabilities)
    {
        using var tensor = InputTensor(batch, count);
        using var outputs = Session.Run(RunOptions, [Manifest.Input.Name], [tensor], [Manifest.Output.Name]);
        var scores = outputs[0].GetTensorDataAsSpan<float>();
        var labels = Manifest.Output.Labels.Length;
        Span<float> frame = stackalloc float[labels];
        for (var i = 0; i < count; i++)
        {
            TileReduction.Reduce(Manifest, scores.Slice(i * labels, labels), 1, frame);
            probabilities[i] = frame[label];
        }
    }
}
