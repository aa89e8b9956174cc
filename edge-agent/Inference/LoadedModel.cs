using EdgeMl.Agent.Imaging;
using EdgeMl.Contracts.Packaging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeMl.Agent.Inference;

/// <summary>One model version ready to score: its package, one ONNX Runtime session reused by every worker, and the provider it runs on.</summary>
public sealed class LoadedModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly long _maxDecodePixels;
    private int _disposed;

    private LoadedModel(ModelPackage package, InferenceSession session, ExecutionProviderChoice provider, InferenceOptions options)
    {
        Package = package;
        _session = session;
        Provider = provider;
        _maxDecodePixels = options.MaxDecodePixels;
        var input = package.Manifest.Input;
        TilesPerFrame = (input.Tiles?.Columns ?? 1) * (input.Tiles?.Rows ?? 1);
        TileLength = input.Channels * input.Width * input.Height;
        Labels = package.Manifest.Output.Labels;
    }

    public ModelPackage Package { get; }

    public ModelManifest Manifest => Package.Manifest;

    public ExecutionProviderChoice Provider { get; private set; }

    public IReadOnlyList<string> Labels { get; }

    public int TilesPerFrame { get; }

    /// <summary>Floats in one tile's input tensor.</summary>
    public int TileLength { get; }

    /// <summary>True once the session is released; the last frame of a retired model set does it.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Opens the session on the configured provider, checks the manifest against the model's real inputs
    /// and outputs, and warms it up. A session off the CPU must first score check frames as the CPU does:
    /// with <c>auto</c> a disagreeing provider gives way to the CPU (the reason is in <see cref="Provider"/>),
    /// with <c>cuda</c> it fails the load.
    /// </summary>
    public static LoadedModel Load(ModelPackage package, InferenceOptions options)
    {
        var model = LoadUnchecked(package, options);
        if (model.Provider.Provider == SessionFactory.Cpu)
        {
            return model;
        }

        LoadedModel chosen;
        try
        {
            using var scorer = new ModelScorer(model);
            chosen = VerifiedAgainstCpu(model, scorer.Score, options);
        }
        catch
        {
            model.Dispose();
            throw;
        }

        if (!ReferenceEquals(chosen, model))
        {
            model.Dispose();
        }

        return chosen;
    }

    /// <summary>Opens the session on exactly the configured provider, without comparing it with the CPU (what <c>check</c> measures).</summary>
    internal static LoadedModel LoadUnchecked(ModelPackage package, InferenceOptions options)
    {
        var (session, choice) = SessionFactory.Create(package, options);
        return Open(package, session, choice, options);
    }

    /// <summary>Why <paramref name="candidate"/> cannot be trusted to score like <paramref name="cpu"/>, or null when it can.</summary>
    internal static string? CrossCheck(LoadedModel cpu, Action<float[], float[]> candidate, double tolerance)
    {
        using var reference = new ModelScorer(cpu);
        var result = new ProviderCrossCheck(tolerance).Compare(reference.Score, candidate, SyntheticFrames.For(cpu), cpu.Labels.Count);
        return result.Agrees
            ? null
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"its probabilities differ from the CPU's by up to {result.MaxDifference:F4} on {result.Frames} check frames (tolerance {tolerance})");
    }

    /// <summary>Buffers one worker needs to score frames; created once per worker, reused for every frame.</summary>
    public InferenceBuffers CreateBuffers() => new(this, _session.CreateIoBinding(), Provider.Provider == SessionFactory.Cpu);

    /// <summary>A decoder for this model's input that keeps to the configured decode budget; one per worker.</summary>
    internal FramePreprocessor CreatePreprocessor() => new(Manifest.Input, _maxDecodePixels);

    /// <summary>Runs the model on what <paramref name="buffers"/> hold and writes the frame's per-label probabilities.</summary>
    public void Score(InferenceBuffers buffers, Span<float> probabilities)
    {
        buffers.PrepareRun();
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

    private static LoadedModel Open(ModelPackage package, InferenceSession session, ExecutionProviderChoice choice, InferenceOptions options)
    {
        try
        {
            var problems = ModelContract.Check(package.Manifest, session.InputMetadata, session.OutputMetadata);
            if (problems.Count > 0)
            {
                throw new ModelPackageException(package.Directory, problems);
            }
        }
        catch
        {
            session.Dispose();
            throw;
        }

        var model = new LoadedModel(package, session, choice, options);
        try
        {
            model.WarmUp(options.WarmupRuns);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A provider that scores differently from the CPU is worse than none: it decides every frame wrongly
    /// and nothing else notices. Returns <paramref name="candidate"/> when <paramref name="candidateScore"/>
    /// agrees with a CPU session; otherwise that CPU session with the reason (<c>auto</c>), or throws
    /// (<c>cuda</c>). Never disposes <paramref name="candidate"/>: the caller still holds its scorer.
    /// </summary>
    internal static LoadedModel VerifiedAgainstCpu(LoadedModel candidate, Action<float[], float[]> candidateScore, InferenceOptions options)
    {
        var cpu = Open(candidate.Package, SessionFactory.CreateCpu(candidate.Package, options), new ExecutionProviderChoice(options.ExecutionProvider, SessionFactory.Cpu, null), options);
        try
        {
            var disagreement = CrossCheck(cpu, candidateScore, options.CrossCheckTolerance);
            if (disagreement is null)
            {
                cpu.Dispose();
                return candidate;
            }

            if (options.ExecutionProvider == ExecutionProviderKind.Cuda)
            {
                throw new ExecutionProviderUnavailableException(
                    $"execution provider 'cuda' was requested but {disagreement}. Run 'edge-agent check' to see the differences, or set the provider to 'auto' or 'cpu'.");
            }

            cpu.Provider = new ExecutionProviderChoice(ExecutionProviderKind.Auto, SessionFactory.Cpu, $"{candidate.Provider.Provider} was not used: {disagreement}");
            return cpu;
        }
        catch
        {
            cpu.Dispose();
            throw;
        }
    }

    /// <summary>Runs on check frames that differ from each other, so the first real frame is neither slow nor the first one the session has seen.</summary>
    private void WarmUp(int runs)
    {
        if (runs == 0)
        {
            return;
        }

        var frames = SyntheticFrames.For(this);
        using var buffers = CreateBuffers();
        Span<float> probabilities = stackalloc float[Labels.Count];
        for (var i = 0; i < runs; i++)
        {
            frames[i % frames.Count].CopyTo(buffers.Input, 0);
            Score(buffers, probabilities);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _session.Dispose();
        _runOptions.Dispose();
    }
}
