using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// Drives active rollouts while this replica leads (<see cref="RolloutLeadership"/>): every second, and soon after
/// any device report (nudged, at most every quarter second). A replica that does not lead tries to every second.
/// </summary>
internal sealed partial class RolloutCoordinator(RolloutEngine engine, RolloutLeadership leadership, TimeProvider time, ILogger<RolloutCoordinator> logger) : BackgroundService
{
    private readonly Channel<bool> _nudges = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Nudge() => _nudges.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await leadership.HoldAsync(stoppingToken))
                {
                    await engine.AdvanceAllAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }

            using var tick = new CancellationTokenSource(TimeSpan.FromSeconds(1), time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, tick.Token);
            try
            {
                await _nudges.Reader.ReadAsync(wait.Token);
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, stoppingToken);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The tick: evaluate anyway, so bake times end without a report.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Advancing rollouts failed; retrying on the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
