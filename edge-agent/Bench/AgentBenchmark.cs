using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Explanation;
using EdgeMl.Agent.Imaging;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Pipeline;
using SkiaSharp;

namespace EdgeMl.Agent.Bench;

/// <summary>
/// Measures in one run, on one machine: (a) raw ONNX Runtime on ready tensors, the ceiling;
/// (b) the naive straight-line loop; (c) the agent's real pipeline, with its latency figures;
/// (d) that pipeline while heatmaps are made for its escalated and audited frames; (e) the decoder's
/// limit on the same frames, alone and (f) with inference: what the agent's input path is held to; and the agent's
/// share of (f) in paired rounds, each the limit and then the agent back to back.
/// </summary>
internal sealed class AgentBenchmark(ModelHolder models, int workers, InferenceOptions inference)
{
    // A share of the limit from phases a minute apart moves with the machine (a virtual machine that slowed one agent
    // phase put it at 65 % where the runs around it measured 91-94 %); rounds a few seconds long, each pairing the
    // limit with the agent, give it per round, and their median is not moved by one slow phase.
    private const int PairedRounds = 3;

    private readonly LoadedModel _model = models.Current!.Active;
    private readonly TimeProvider _time = models.Time;

    public async Task<BenchResult> RunAsync(string inputFolder, TimeSpan duration, CancellationToken cancellationToken)
    {
        var model = _model;
        var time = _time;
        var files = new FolderFrameSource(inputFolder).Files;
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"input folder '{inputFolder}' has no frames to measure");
        }

        var first = await File.ReadAllBytesAsync(files[0], cancellationToken);
        var raw = await LimitAsync([first], decode: false, infer: true, duration, cancellationToken);
        var frames = await Task.WhenAll(files.Select(file => File.ReadAllBytesAsync(file, cancellationToken)));
        var decodeLimit = await LimitAsync(frames, decode: true, infer: false, duration, cancellationToken);
        var decodeInferenceLimit = await LimitAsync(frames, decode: true, infer: true, duration, cancellationToken);
        ProcessMemory.ResetPeak();
        var agent = await AgentAsync(inputFolder, duration, cancellationToken);
        var peak = ProcessMemory.PeakRssMegabytes();
        var heatmaps = await HeatmapsAsync(inputFolder, duration, cancellationToken);
        double? naive;
        using (var loop = new NaiveLoop(model.Package, model.Provider.Provider == SessionFactory.Cuda))
        {
            naive = Ratio.Of(loop.Run(files, duration, time), duration.TotalSeconds);
        }

        var shares = new List<double?>();
        for (var round = 0; round < PairedRounds; round++)
        {
            var limit = await LimitAsync(frames, decode: true, infer: true, duration / PairedRounds, cancellationToken);
            shares.Add(Ratio.Of((await AgentAsync(inputFolder, duration / PairedRounds, cancellationToken)).AgentIps, limit));
        }

        using var codec = SKCodec.Create(files[0]);
        var preprocessor = model.CreatePreprocessor();
        return agent with
        {
            DecodeLimitIps = decodeLimit,
            DecodeInferenceLimitIps = decodeInferenceLimit,
            JpegDecoder = preprocessor.JpegDecoder,
            DecodeScale = codec is null ? "?" : $"1/{1 / preprocessor.DecodeScale(codec.Info.Size):0}",
            HeatmapFramesIps = heatmaps.FramesIps,
            HeatmapsPerSecond = heatmaps.HeatmapsPerSecond,
            HeatmapMs = heatmaps.HeatmapMs,
            HeatmapsDropped = heatmaps.Dropped,
            LimitShares = shares,
            RawOrtIps = raw,
            NaiveIps = naive,
            PeakRssMb = double.IsFinite(peak) ? peak : null,
            ExecutionProvider = model.Provider.Provider,
            Workers = workers,
            Model = model.Manifest.Id,
            FrameSize = codec is null ? "?" : $"{codec.Info.Width}x{codec.Info.Height}",
        };
    }

    /// <summary>
    /// Every worker goes round <paramref name="frames"/> back to back: with <paramref name="decode"/> it decodes each
    /// as the agent does (same library, same DCT scale, luma or colour) but skips resampling; with
    /// <paramref name="infer"/> it runs the model on a tensor prepared once. Inference alone is the runtime's ceiling;
    /// decoding alone the decoder's limit; both together the most any pipeline around this decoder and model reaches.
    /// </summary>
    private async Task<double?> LimitAsync(byte[][] frames, bool decode, bool infer, TimeSpan duration, CancellationToken cancellationToken)
    {
        var model = _model;
        var time = _time;
        var runs = new long[workers];
        var start = time.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(
            () =>
            {
                using var buffers = model.CreateBuffers();
                var preprocessor = model.CreatePreprocessor();
                var error = preprocessor.Preprocess(frames[0], buffers.Input);
                if (error is not null)
                {
                    throw new InvalidOperationException($"the first frame cannot be benchmarked: {error}");
                }

                Span<float> probabilities = stackalloc float[model.Labels.Count];
                for (var i = w; time.GetElapsedTime(start) < duration && !cancellationToken.IsCancellationRequested; i++)
                {
                    // A frame that does not decode counts for nothing, as it scores nothing in the agent.
                    if (decode && preprocessor.Decode(frames[i % frames.Length]) is not null)
                    {
                        continue;
                    }

                    if (infer)
                    {
                        model.Score(buffers, probabilities);
                    }

                    runs[w]++;
                }
            },
            cancellationToken)));
        return Ratio.Of(runs.Sum(), time.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>
    /// The agent pipeline again, with every escalated or audited frame offered for a heatmap as <c>run</c> does; one
    /// consumer makes heatmaps meanwhile on its own session, so the frame rate shows what heatmaps cost scoring.
    /// </summary>
    private async Task<(double? FramesIps, double? HeatmapsPerSecond, double? HeatmapMs, long Dropped)> HeatmapsAsync(string inputFolder, TimeSpan duration, CancellationToken cancellationToken)
    {
        var options = new ExplanationOptions();
        Explainer explainer;
        try
        {
            explainer = Explainer.For(_model.Package, inference, options);
        }
        catch (NotSupportedException)
        {
            return (null, null, null, 0);
        }

        var queue = new ExplanationQueue(options.QueueCapacity);
        using var stop = new CancellationTokenSource();
        var token = stop.Token;
        long made = 0, heatmapTicks = 0;
        // The consumer owns the explainer and disposes it: on a busy machine its idle-priority thread may get no core for
        // minutes after the window (SCHED_IDLE), so the bench does not wait for it to see the stop.
        _ = Task.Factory.StartNew(
            () =>
            {
                // As in run: the heatmaps' own thread, lowered so that it yields to the scoring workers.
                LowPriorityThread.Lower();
                try
                {
                    while (queue.Reader.WaitToReadAsync(token).AsTask().GetAwaiter().GetResult())
                    {
                        while (!token.IsCancellationRequested && queue.Reader.TryRead(out var request))
                        {
                            var begin = _time.GetTimestamp();
                            if (explainer.Explain(request.Encoded, request.Label, token, out _) is { } map)
                            {
                                HeatmapImage.EncodePng(map);
                                Interlocked.Add(ref heatmapTicks, _time.GetTimestamp() - begin);
                                Interlocked.Increment(ref made);
                            }
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    explainer.Dispose();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            var start = _time.GetTimestamp();
            var frames = await AgentAsync(inputFolder, duration, cancellationToken, slot => queue.Offer(slot));
            var elapsed = _time.GetElapsedTime(start).TotalSeconds;
            // The heatmaps finished inside the window; one still in hand is not counted.
            var (heatmaps, ticks) = (Interlocked.Read(ref made), Interlocked.Read(ref heatmapTicks));
            return (frames.AgentIps, Ratio.Of(heatmaps, elapsed), Ratio.Of(ticks / (_time.TimestampFrequency / 1000.0), heatmaps), queue.Dropped);
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    private async Task<BenchResult> AgentAsync(string inputFolder, TimeSpan duration, CancellationToken cancellationToken, Action<FrameSlot>? alsoWith = null)
    {
        var time = _time;
        // Sized for 1000 frames/s so that recording a latency never allocates.
        var latencies = new double[(int)Math.Max(1000, duration.TotalSeconds * 1000)];
        long frames = 0, errors = 0, decodeTicks = 0, inferenceTicks = 0, totalTicks = 0;
        var source = new TimedSource(new FolderFrameSource(inputFolder, loop: true), time, duration);
        // Allocation is counted after a warm-up, once slot buffers have grown to the largest frame and the JIT has settled.
        const int WarmupFrames = 50;
        long allocatedAtWarmup = 0;
        var start = time.GetTimestamp();
        await new FramePipeline(models, workers).RunAsync(
            source,
            slot =>
            {
                var ticks = slot.EndTimestamp - slot.StartTimestamp;
                if (frames < latencies.Length)
                {
                    latencies[frames] = time.GetElapsedTime(slot.StartTimestamp, slot.EndTimestamp).TotalMilliseconds;
                }

                frames++;
                if (frames == WarmupFrames)
                {
                    allocatedAtWarmup = GC.GetTotalAllocatedBytes(precise: true);
                }

                errors += slot.Verdict.Decision == Decision.Error ? 1 : 0;
                decodeTicks += slot.DecodeTicks;
                inferenceTicks += slot.InferenceTicks;
                totalTicks += ticks;
                alsoWith?.Invoke(slot);
            },
            cancellationToken);
        var elapsed = time.GetElapsedTime(start);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedAtWarmup;
        var measured = latencies.AsSpan(0, (int)Math.Min(frames, latencies.Length));
        measured.Sort();
        var ticksPerMs = time.TimestampFrequency / 1000.0;
        return new BenchResult
        {
            AgentIps = Ratio.Of(frames, elapsed.TotalSeconds),
            AgentFrames = frames,
            AgentErrors = errors,
            P50Ms = Percentile(measured, 0.50),
            P95Ms = Percentile(measured, 0.95),
            P99Ms = Percentile(measured, 0.99),
            DecodeMs = Ratio.Of(decodeTicks / ticksPerMs, frames),
            InferenceMs = Ratio.Of(inferenceTicks / ticksPerMs, frames),
            OutsideShare = Ratio.Of(totalTicks - decodeTicks - inferenceTicks, totalTicks),
            // Before the warm-up ends nothing is measured: too short a run has no figure rather than a made-up one.
            AllocatedBytesPerFrame = frames > WarmupFrames ? Ratio.Of(allocated, frames - WarmupFrames) : null,
        };
    }

    private static double? Percentile(ReadOnlySpan<double> sorted, double q) =>
        sorted.IsEmpty ? null : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    /// <summary>Replays frames until the measuring time is up.</summary>
    private sealed class TimedSource(IFrameSource inner, TimeProvider time, TimeSpan duration) : IFrameSource
    {
        private readonly long _start = time.GetTimestamp();

        public ValueTask<bool> ReadNextAsync(FrameSlot slot, CancellationToken cancellationToken) =>
            time.GetElapsedTime(_start) >= duration ? ValueTask.FromResult(false) : inner.ReadNextAsync(slot, cancellationToken);
    }
}
