using EdgeMl.Agent.Escalation;
using EdgeMl.Agent.Explanation;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.LineIo;
using EdgeMl.Agent.Outcomes;
using EdgeMl.Agent.Pipeline;
using EdgeMl.Agent.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Capture;

/// <summary>Feeds the configured camera (live, watched folder or replay) through the pipeline while the agent runs; decisions steer the line when it has I/O, and each frame's outcome goes to the sinks.</summary>
public sealed partial class FrameRunner(
    IOptions<AgentOptions> options,
    InferenceOptions inference,
    ModelHolder models,
    FrameCounters counters,
    FrameOutcomeDispatcher outcomes,
    IServiceProvider services,
    ILogger<FrameRunner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        IFrameSource? source = o.Camera is not null
            ? new CameraSource(o.Camera, o.MinBackoff, o.MaxBackoff, models.Time, counters, services.GetRequiredService<ILogger<CameraSource>>())
            : o.Replay is not null
            ? new ReplaySource(o.Replay, o.Fps, models.Time, counters)
            : o.Input is not null ? new FolderWatchSource(o.Input, counters) : null;
        if (source is null)
        {
            return;
        }

        using var summary = new PeriodicTimer(TimeSpan.FromSeconds(10), models.Time);
        var reporting = Task.Run(
            async () =>
            {
                while (await summary.WaitForNextTickAsync(stoppingToken))
                {
                    LogSummary(logger, models.Current?.Active.Manifest.Id ?? "no model", counters);
                }
            },
            stoppingToken);
        try
        {
            var router = services.GetService<PartRouter>();
            var parts = services.GetService<PartFrames>();
            var explanations = services.GetService<ExplanationQueue>();
            var keepsCases = services.GetService<CaseSink>() is not null;
            await new FramePipeline(models, inference.Workers).RunAsync(
                source,
                slot =>
                {
                    counters.Count(slot);
                    explanations?.Offer(slot);
                    var part = parts?.Match(slot);
                    outcomes.Publish(slot.ToOutcome(models.Time, part?.PartId, keepsCases));
                    if (part is { } decided)
                    {
                        router?.Decide(decided);
                    }
                },
                stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (source is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                (source as IDisposable)?.Dispose();
            }
        }

        await reporting.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model}: {Counters}")]
    private static partial void LogSummary(ILogger logger, string model, FrameCounters counters);
}
