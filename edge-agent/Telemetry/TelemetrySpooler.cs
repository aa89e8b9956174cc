using EdgeMl.Agent.Capture;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Outcomes;
using EdgeMl.Contracts.Telemetry;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Telemetry;

/// <summary>
/// Every interval, closes the aggregator's window and writes each model's aggregate into the outbox, from where the publisher
/// sends it; the process's CPU, memory and (on CUDA) GPU memory go on the active aggregates.
/// </summary>
internal sealed partial class TelemetrySpooler(
    TelemetryAggregator aggregator,
    FrameOutcomeDispatcher dispatcher,
    FrameCounters counters,
    OutboxStore outbox,
    NvmlGpuMemory gpu,
    IOptions<TelemetryOptions> options,
    TimeProvider time,
    ILogger<TelemetrySpooler> logger) : BackgroundService
{
    // Started with the service, not when ExecuteAsync gets a thread, so intervals count from the start.
    private readonly PeriodicTimer _timer = new(options.Value.Interval, time);
    private readonly ProcessFigures _process = new(time);
    private long _reportedDrops;

    public override void Dispose()
    {
        _timer.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(stoppingToken))
            {
                Spool();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // A clean stop keeps the partial interval.
            Spool();
        }
    }

    private void Spool()
    {
        // Frames the source dropped and outcomes the aggregator's own queue dropped are both frames the figures miss.
        var drops = counters.Dropped + dispatcher.Dropped(aggregator);
        var aggregates = aggregator.CloseWindow(time.GetUtcNow(), drops - _reportedDrops);
        _reportedDrops = drops;
        var (cpu, rss) = _process.Sample();
        // Once per interval, and only when a model scored on CUDA: a CPU-only agent never loads NVML.
        var gpuMemory = aggregates.Any(a => a.Role == ModelRole.Active && a.ExecutionProvider == SessionFactory.Cuda) ? gpu.Sample() : null;
        foreach (var aggregate in aggregates)
        {
            if (aggregate.Role == ModelRole.Active)
            {
                (aggregate.CpuPercent, aggregate.RssBytes) = (cpu, rss);
                if (gpuMemory is { } bytes && aggregate.ExecutionProvider == SessionFactory.Cuda)
                {
                    aggregate.GpuMemoryBytes = bytes;
                }
            }

            if (outbox.Enqueue(OutboxKind.Telemetry, aggregate.MessageId, aggregate.ToByteArray()) == OutboxAdmission.Refused)
            {
                LogNotSpooled(logger, aggregate.ModelName, aggregate.ModelVersion);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "telemetry of {Model}:{Version} not spooled: the outbox is full of messages that may not be dropped")]
    private static partial void LogNotSpooled(ILogger logger, string model, string version);
}
