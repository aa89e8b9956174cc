using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Pipeline;
using EdgeMl.Agent.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Capture;

/// <summary>Feeds the configured camera (watched folder or replay) through the pipeline while the agent runs.</summary>
public sealed partial class FrameRunner(
    IOptions<AgentOptions> options,
    InferenceOptions inference,
    ModelHolder models,
    FrameCounters counters,
    ILogger<FrameRunner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        IFrameSource? source = o.Replay is not null
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
            await new FramePipeline(models, inference.Workers).RunAsync(source, counters.Count, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            (source as IDisposable)?.Dispose();
        }

        await reporting.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model}: {Counters}")]
    private static partial void LogSummary(ILogger logger, string model, FrameCounters counters);
}
