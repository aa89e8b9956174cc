using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Outcomes;

/// <summary>Drives every sink: one loop per sink reads its queue, so sinks run side by side and one that throws loses only that outcome.</summary>
internal sealed partial class FrameOutcomeSinkHost(FrameOutcomeDispatcher dispatcher, ILogger<FrameOutcomeSinkHost> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(dispatcher.Queues.Select(q => Task.Run(() => DrainAsync(q, stoppingToken), stoppingToken)));

    private async Task DrainAsync(SinkQueue queue, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var outcome in queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await queue.Sink.ConsumeAsync(outcome, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSinkFailed(logger, e, queue.Sink.Name, outcome.FrameId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "sink {Sink} failed on frame {FrameId}; it goes on with the next frame")]
    private static partial void LogSinkFailed(ILogger logger, Exception exception, string sink, string frameId);
}
