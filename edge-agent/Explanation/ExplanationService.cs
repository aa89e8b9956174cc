using System.Diagnostics;
using EdgeMl.Agent.Inference;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Explanation;

/// <summary>
/// Makes heatmaps off the scoring path: one frame at a time from <see cref="ExplanationQueue"/>, on an explainer
/// with its own session for the model that scored the frame. A frame whose model has been swapped out meanwhile is
/// skipped; a heatmap that fails is logged and counted, and the next frame goes on.
/// </summary>
internal sealed partial class ExplanationService(
    ExplanationQueue queue,
    ExplanationStore store,
    ModelHolder models,
    InferenceOptions inference,
    ExplanationOptions options,
    ILogger<ExplanationService> logger) : BackgroundService
{
    private Explainer? _explainer;
    private long _made;
    private long _skipped;

    /// <summary>Heatmaps written.</summary>
    public long Made => Interlocked.Read(ref _made);

    /// <summary>Frames taken from the queue without a heatmap: model gone, undecodable, or a failure.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Explains on a thread of its own at the lowest priority (<see cref="LowPriorityThread"/>), so that the scoring workers win every contended core.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        LowPriorityThread.Lower();
        try
        {
            // This thread is the explainer's alone: blocking it while the queue is empty holds up nothing else.
            while (queue.Reader.WaitToReadAsync(stoppingToken).AsTask().GetAwaiter().GetResult())
            {
                // A stopping host leaves the frames still queued: their cases go without a heatmap after Cases:HeatmapWait, as when the queue drops one.
                while (!stoppingToken.IsCancellationRequested && queue.Reader.TryRead(out var request))
                {
                    Explain(request, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _explainer?.Dispose();
        }
    }

    private void Explain(ExplanationRequest request, CancellationToken stoppingToken)
    {
        try
        {
            var explainer = ExplainerFor(request.ModelId);
            if (explainer is null)
            {
                Interlocked.Increment(ref _skipped);
                LogModelGone(logger, request.FrameId, request.ModelId);
                return;
            }

            var start = Stopwatch.GetTimestamp();
            var map = explainer.Explain(request.Encoded, request.Label, stoppingToken, out var error);
            if (map is null)
            {
                Interlocked.Increment(ref _skipped);
                LogUndecodable(logger, request.FrameId, error!);
                return;
            }

            store.Save(request, map, HeatmapImage.EncodePng(map));
            Interlocked.Increment(ref _made);
            var milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            LogMade(logger, request.FrameId, map.Label, milliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Interlocked.Increment(ref _skipped);
            LogFailed(logger, request.FrameId, e.Message);
        }
    }

    /// <summary>The explainer of the model now active, when that is the model that scored the frame; a new model replaces the old explainer.</summary>
    private Explainer? ExplainerFor(string modelId)
    {
        if (_explainer?.ModelId == modelId)
        {
            return _explainer;
        }

        var set = models.Lease();
        if (set is null)
        {
            return null;
        }

        try
        {
            if (set.Active.Manifest.Id != modelId)
            {
                return null;
            }

            _explainer?.Dispose();
            _explainer = null;
            _explainer = Explainer.For(set.Active.Package, inference, options);
            return _explainer;
        }
        finally
        {
            set.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Heatmap for {Frame} ({Label}) in {Milliseconds:F0} ms")]
    private static partial void LogMade(ILogger logger, string frame, string label, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "No heatmap for {Frame}: its model {Model} is no longer active")]
    private static partial void LogModelGone(ILogger logger, string frame, string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No heatmap for {Frame}: {Reason}")]
    private static partial void LogUndecodable(ILogger logger, string frame, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heatmap for {Frame} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string frame, string reason);
}
