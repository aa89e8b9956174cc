using System.Threading.Channels;
using EdgeMl.Fleet.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Alerts;

/// <summary>
/// Sends each raised or cleared alert to every sink, each from its own bounded queue, so a webhook that is down
/// delays neither MQTT nor the monitors. A failed send is retried with a doubling delay; a full queue drops its
/// oldest alert (the alert stays stored and listed) and counts it.
/// </summary>
internal sealed partial class AlertDelivery : BackgroundService
{
    private const int QueueLength = 1000;

    private readonly IReadOnlyList<(IAlertSink Sink, Channel<AlertRecord> Queue)> _queues;
    private readonly AlertOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertDelivery> _logger;
    private long _dropped;

    public AlertDelivery(IReadOnlyList<IAlertSink> sinks, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertDelivery> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _queues = [.. sinks.Select(s => (s, Channel.CreateBounded<AlertRecord>(
            new BoundedChannelOptions(QueueLength) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => Interlocked.Increment(ref _dropped))))];
    }

    /// <summary>Alerts dropped from a full queue, over all sinks.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Post(AlertRecord alert)
    {
        foreach (var (_, queue) in _queues)
        {
            queue.Writer.TryWrite(alert);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_queues.Select(q => DrainAsync(q.Sink, q.Queue.Reader, stoppingToken)));

    private async Task DrainAsync(IAlertSink sink, ChannelReader<AlertRecord> queue, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var alert in queue.ReadAllAsync(stoppingToken))
            {
                await SendAsync(sink, alert, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: alerts still queued are stored and listed; only their delivery is lost.
        }
    }

    private async Task SendAsync(IAlertSink sink, AlertRecord alert, CancellationToken stoppingToken)
    {
        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await sink.SendAsync(alert, stoppingToken);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (attempt >= _options.DeliveryAttempts)
                {
                    LogGivenUp(_logger, alert.Id, sink.Name, attempt, e.Message);
                    return;
                }

                LogRetrying(_logger, alert.Id, sink.Name, attempt, delay, e.Message);
            }

            await Task.Delay(delay, _time, stoppingToken);
            delay += delay;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {AlertId} not delivered to {Sink} (attempt {Attempt}): {Reason}; retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string alertId, string sink, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {AlertId} not delivered to {Sink} after {Attempts} attempts: {Reason}; it stays listed in the API")]
    private static partial void LogGivenUp(ILogger logger, string alertId, string sink, int attempts, string reason);
}
