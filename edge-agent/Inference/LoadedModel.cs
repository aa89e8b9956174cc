using EdgeMl.Contracts.Packaging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeMl.Agent.Inference;

/// <summary>One model version ready to score: its package, one ONNX Runtime session reused by every worker, and the provider it runs on.</summary>
public sealed class LoadedModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    private LoadedModel(ModelPackage package, InferenceSession session, ExecutionProviderChoice provider)
    {
        Package = package;
        _session = session;
        Provider = provider;
        var input = package.Manifest.Input;
        TilesPerFrame = (input.Tiles?.Columns ?? 1) * (input.Tiles?.Rows ?? 1);
        TileLength = input.Channels * input.Width * input.Height;
        Labels = package.Manifest.Output.Labels;
    }

    public ModelPackage Package { get; }

    public ModelManifest Manifest => Package.Manifest;

    public ExecutionProviderChoice Provider { get; }

    public IReadOnlyList<string> Labels { get; }

    public int TilesPerFrame { get; }

    /// <summary>Floats in one tile's input tensor.</summary>
    public int TileLength { get; }

    /// <summary>Opens the session on the configured provider, checks the manifest against the model's real inputs and outputs, and warms it up.</summary>
    public static LoadedModel Load(ModelPackage package, InferenceOptions options)
    {
        var (session, choice) = SessionFactory.Create(package, options);
        try
        {
            var problems = ModelContract.Check(package.Manifest, session.InputMetadata, session.OutputMetadata);
            if (problems.Count > 0)
            {
                throw new ModelPackageException(package.Directory, problems);
            }

            var model = new LoadedModel(package, session, choice);
            model.WarmUp(options.WarmupRuns);
            return model;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Buffers one worker needs to score frames; created once per worker, reused for every frame.</summary>
    public InferenceBuffers CreateBuffers() => new(this, _session.CreateIoBinding());

    /// <summary>Runs the model on what <paramref name="buffers"/> hold and writes the frame's per-label probabilities.</summary>
    public void Score(InferenceBuffers buffers, Span<float> probabilities)
    {
        _session.RunWithBinding(_runOptions, buffers.Binding);
        TileReduction.Reduce(Manifest, buffers.Output, TilesPerFrame, probabilities);
    }

    internal int[] InputShape()
    {
        var input = Manifest.Input;
        return input.Layout == "NHWC"
            ? [TilesPerFrame, input.Height, input.Width, input.Channels]
            : [TilesPerFrame, input.Channels, input.Height, input.Width];
    }

    private void WarmUp(int runs)
    {
        using var buffers = CreateBuffers();
        Span<float> probabilities = stackalloc float[Labels.Count];
        for (var i = 0; i < runs; i++)
        {
            buffers.Input.AsSpan().Clear();
            Score(buffers, probabilities);
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
