using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Fleet.Alerts;

/// <summary>
/// A check the server runs every <see cref="Interval"/> on its clock; a failed run is logged and the next one comes
/// on time. Tests call <see cref="EvaluateAsync"/> directly, with a clock of their own.
/// </summary>
internal abstract partial class PeriodicMonitor(TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected ILogger Logger { get; } = logger;

    protected abstract TimeSpan Interval { get; }

    /// <summary>One evaluation: judge the conditions now, raise and clear their alerts.</summary>
    public abstract Task EvaluateAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await EvaluateAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(Logger, GetType().Name, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Monitor} failed; trying again on its next tick")]
    private static partial void LogFailed(ILogger logger, string monitor, Exception exception);
}
