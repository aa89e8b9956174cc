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

    /// <exception cref="NotSupportedException">The model splits frames into tiles; its heatmap would need the tile layout, which this does not map.</exception>
    protected Explainer(ModelPackage package, InferenceOptions inference)
    {
        Manifest = package.Manifest;
        var input = Manifest.Input;
        if (input.Tiles is not null)
        {
            throw new NotSupportedException($"{Manifest.Id} scores frames in tiles; heatmaps cover untiled inputs only");
        }

        TensorLength = input.Channels * input.Width * input.Height;
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

    public int InputWidth => Manifest.Input.Width;

    public int InputHeight => Manifest.Input.Height;

    protected ModelManifest Manifest { get; }

    protected InferenceSession Session { get; }

    protected RunOptions RunOptions => _runOptions;

    /// <summary>Floats in one frame's input tensor.</summary>
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

    /// <summary>The first <paramref name="count"/> input tensors in <paramref name="batch"/> as one ONNX Runtime input of the model's layout.</summary>
    protected OrtValue InputTensor(float[] batch, int count)
    {
        var input = Manifest.Input;
        long[] shape = input.Layout == "NHWC" ? [count, input.Height, input.Width, input.Channels] : [count, input.Channels, input.Height, input.Width];
        return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch.AsMemory(0, count * TensorLength), shape);
    }

    public void Dispose()
    {
        Session.Dispose();
        _runOptions.Dispose();
        GC.SuppressFinalize(this);
    }
}
