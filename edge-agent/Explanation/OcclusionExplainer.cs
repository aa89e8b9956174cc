using EdgeMl.Agent.Imaging;
using EdgeMl.Agent.Inference;
using EdgeMl.Contracts.Packaging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeMl.Agent.Explanation;

/// <summary>
/// Occlusion sensitivity, which needs nothing from the model but its inputs and outputs: grey out one grid cell
/// of the preprocessed input at a time, score again, and record how far the label's probability falls.
/// Runs on a CPU session of its own with one thread, so heatmaps never hold
/// the scoring workers' session or buffers; occluded copies go through in batches when the batch dimension is dynamic.
/// </summary>
internal sealed class OcclusionExplainer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly ModelManifest _manifest;
    private readonly FramePreprocessor _preprocessor;
    private readonly float[] _grey;
    private readonly int _width;
    private readonly int _height;
    private readonly int _channels;
    private readonly int _tileLength;
    private readonly int _columns;
    private readonly int _rows;
    private readonly int _batch;

    /// <exception cref="NotSupportedException">The model splits frames into tiles; its heatmap would need the tile layout, which this does not map.</exception>
    public OcclusionExplainer(ModelPackage package, InferenceOptions inference, ExplanationOptions options)
    {
        _manifest = package.Manifest;
        var input = _manifest.Input;
        if (input.Tiles is not null)
        {
            throw new NotSupportedException($"{_manifest.Id} scores frames in tiles; occlusion heatmaps cover untiled inputs only");
        }

        _width = input.Width;
        _height = input.Height;
        _channels = input.Channels;
        _tileLength = _channels * _width * _height;
        (_columns, _rows) = _width >= _height
            ? (options.Cells, Math.Max(1, (int)Math.Round((double)options.Cells * _height / _width)))
            : (Math.Max(1, (int)Math.Round((double)options.Cells * _width / _height)), options.Cells);
        _grey = new float[_channels];
        for (var c = 0; c < _channels; c++)
        {
            // Mid-grey as the preprocessor would write it, so an occluded cell looks like a flat grey patch to the model.
            _grey[c] = ((128f * input.Scale) - input.Mean[c]) / input.Std[c];
        }

        _preprocessor = new FramePreprocessor(input, inference.MaxDecodePixels);
        // One thread: ONNX Runtime then computes on the caller's (low-priority) thread instead of a pool of normal-priority ones.
        _session = SessionFactory.CreateCpu(package, new InferenceOptions { IntraOpThreads = 1, InterOpThreads = 1 });
        try
        {
            var dynamicBatch = _session.InputMetadata[input.Name].Dimensions[0] < 0;
            _batch = dynamicBatch ? options.BatchSize : 1;
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    public string ModelId => _manifest.Id;

    public int InputWidth => _width;

    public int InputHeight => _height;

    /// <summary>Occluded copies per ONNX Runtime run: the configured batch size, or 1 for a model with a fixed batch.</summary>
    public int BatchSize => _batch;

    /// <summary>Decodes and preprocesses <paramref name="encoded"/> as the scoring path does, then explains it; null with <paramref name="error"/> when the frame cannot be decoded.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the run in progress is stopped too.</exception>
    public OcclusionMap? Explain(ReadOnlySpan<byte> encoded, int label, CancellationToken cancellationToken, out string? error)
    {
        var input = new float[_tileLength];
        error = _preprocessor.Preprocess(encoded, input);
        return error is null ? Explain(input, label, cancellationToken) : null;
    }

    /// <summary>Explains the preprocessed input tensor <paramref name="input"/> (one frame, the model's layout) for the label at index <paramref name="label"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the run in progress is stopped too.</exception>
    public OcclusionMap Explain(ReadOnlySpan<float> input, int label, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(input.Length, _tileLength);
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, _manifest.Output.Labels.Length);
        var cells = _columns * _rows;
        var probabilities = new float[cells + 1];
        var batch = new float[_batch * _tileLength];

        // A heatmap of a large model takes seconds of one idle-priority core: a stopping host must not wait for it, so
        // cancelling raises ONNX Runtime's terminate flag, which also stops the run in progress. The flag stays up until
        // lowered, so each explanation starts with it down.
        _runOptions.Terminate = false;
        using var terminate = cancellationToken.Register(() => _runOptions.Terminate = true);
        // Copy 0 of the first run is the frame untouched: the baseline every drop is measured from.
        for (var first = -1; first < cells; first += _batch)
        {
            var count = Math.Min(_batch, cells - first);
            for (var i = 0; i < count; i++)
            {
                var copy = batch.AsSpan(i * _tileLength, _tileLength);
                input.CopyTo(copy);
                if (first + i >= 0)
                {
                    Occlude(copy, first + i);
                }
            }

            try
            {
                Score(batch, count, label, probabilities.AsSpan(first + 1, count));
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }

        var heat = new float[cells];
        for (var i = 0; i < cells; i++)
        {
            heat[i] = probabilities[0] - probabilities[i + 1];
        }

        return new OcclusionMap(_manifest.Output.Labels[label], probabilities[0], _columns, _rows, heat);
    }

    private void Occlude(Span<float> tensor, int cell)
    {
        var (row, column) = (cell / _columns, cell % _columns);
        int x0 = column * _width / _columns, x1 = (column + 1) * _width / _columns;
        int y0 = row * _height / _rows, y1 = (row + 1) * _height / _rows;
        var nhwc = _manifest.Input.Layout == "NHWC";
        for (var c = 0; c < _channels; c++)
        {
            for (var y = y0; y < y1; y++)
            {
                for (var x = x0; x < x1; x++)
                {
                    tensor[nhwc ? (((y * _width) + x) * _channels) + c : (((c * _height) + y) * _width) + x] = _grey[c];
                }
            }
        }
    }

    private void Score(float[] batch, int count, int label, Span<float> probabilities)
    {
        var input = _manifest.Input;
        long[] shape = input.Layout == "NHWC" ? [count, _height, _width, _channels] : [count, _channels, _height, _width];
        using var tensor = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch.AsMemory(0, count * _tileLength), shape);
        using var outputs = _session.Run(_runOptions, [input.Name], [tensor], [_manifest.Output.Name]);
        var scores = outputs[0].GetTensorDataAsSpan<float>();
        var labels = _manifest.Output.Labels.Length;
        Span<float> frame = stackalloc float[labels];
        for (var i = 0; i < count; i++)
        {
            TileReduction.Reduce(_manifest, scores.Slice(i * labels, labels), 1, frame);
            probabilities[i] = frame[label];
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
