using EdgeMl.Agent.Imaging;
using EdgeMl.Agent.Inference;
using EdgeMl.Contracts.Packaging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeMl.Agent.Explanation;

/// <summary>
/// Makes a heatmap for one frame on a CPU session of its own with one thread, so heatmaps never hold the scoring
/// workers' session or buffers: the model's own map where its manifest declares one (<see cref="ModelMapExplainer"/>),
/// occlusion sensitivity otherwise (<see cref="OcclusionExplainer"/>).
/// </summary>
internal abstract class Explainer : IDisposable
{
    private readonly RunOptions _runOptions = new();
    private readonly FramePreprocessor _preprocessor;

    protected Explainer(ModelPackage package, InferenceOptions inference)
    {
        Manifest = package.Manifest;
        var input = Manifest.Input;
        Tiles = TileLayout.Compute(input);
        Region = TileLayout.Region(input);
        // Every tile has the same size: the input stretched over one of them gives the frame's shape as the model sees it.
        FrameAspect = input.Width / Tiles[0].Width / (input.Height / Tiles[0].Height);
        TensorLength = Tiles.Length * input.Channels * input.Width * input.Height;
        _preprocessor = new FramePreprocessor(input, inference.MaxDecodePixels);
        // One thread: ONNX Runtime then computes on the caller's (low-priority) thread instead of a pool of normal-priority ones.
        Session = SessionFactory.CreateCpu(package, new InferenceOptions { IntraOpThreads = 1, InterOpThreads = 1 });
    }

    /// <summary>The explainer the model's manifest asks for.</summary>
    public static Explainer For(ModelPackage package, InferenceOptions inference, ExplanationOptions options) =>
        package.Manifest.Explanation is null
            ? new OcclusionExplainer(package, inference, options)
            : new ModelMapExplainer(package, inference);

    public string ModelId => Manifest.Id;

    protected ModelManifest Manifest { get; }

    /// <summary>The parts of the frame the model scores, one input each (one without <c>input.tiles</c>).</summary>
    protected TileLayout.Rect[] Tiles { get; }

    /// <summary>The frame's region of interest, which the tiles cover: where a heatmap's grid lies.</summary>
    protected TileLayout.Rect Region { get; }

    private double FrameAspect { get; }

    /// <summary>Width over height of <see cref="Region"/> as the model sees it.</summary>
    protected double RegionAspect => FrameAspect * Region.Width / Region.Height;

    protected InferenceSession Session { get; }

    protected RunOptions RunOptions => _runOptions;

    /// <summary>Floats in one frame's input tensors, all its tiles.</summary>
    protected int TensorLength { get; }

    /// <summary>Decodes and preprocesses <paramref name="encoded"/> as the scoring path does, then explains it; null with <paramref name="error"/> when the frame cannot be decoded.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the run in progress is stopped too.</exception>
    public ExplanationMap? Explain(ReadOnlySpan<byte> encoded, int label, CancellationToken cancellationToken, out string? error)
    {
        var input = new float[TensorLength];
        error = _preprocessor.Preprocess(encoded, input);
        return error is null ? Explain(input, label, cancellationToken) : null;
    }

    /// <summary>Explains the preprocessed input tensor <paramref name="input"/> (one frame, the model's layout) for the label at index <paramref name="label"/>, the frame's suggestion.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the run in progress is stopped too.</exception>
    public ExplanationMap Explain(float[] input, int label, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(input.Length, TensorLength);
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, Manifest.Output.Labels.Length);

        // A heatmap of a large model takes seconds of one idle-priority core: a stopping host must not wait for it, so
        // cancelling raises ONNX Runtime's terminate flag, which also stops the run in progress. The flag stays up until
        // lowered, so each explanation starts with it down.
        _runOptions.Terminate = false;
        using var terminate = cancellationToken.Register(() => _runOptions.Terminate = true);
        try
        {
            return Compute(input, label);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    /// <summary>The heatmap of <paramref name="input"/>, which it may hand to ONNX Runtime as it is but must not change.</summary>
    protected abstract ExplanationMap Compute(float[] input, int label);

    /// <summary>A heatmap whose grid lies over <see cref="Region"/>.</summary>
    protected ExplanationMap Map(string method, string label, float probability, int columns, int rows, float[] heat) =>
        new(method, label, probability, columns, rows, heat) { Region = Region, FrameAspect = FrameAspect };

    /// <summary>The first <paramref name="frames"/> frames' input tensors in <paramref name="batch"/> (all their tiles) as one ONNX Runtime input of the model's layout.</summary>
    protected OrtValue InputTensor(float[] batch, int frames)
    {
        var input = Manifest.Input;
        var count = frames * Tiles.Length;
        long[] shape = input.Layout == "NHWC" ? [count, input.Height, input.Width, input.Channels] : [count, input.Channels, input.Height, input.Width];
        return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch.AsMemory(0, frames * TensorLength), shape);
    }

    public void Dispose()
    {
        Session.Dispose();
        _runOptions.Dispose();
        GC.SuppressFinalize(this);
    }
}
