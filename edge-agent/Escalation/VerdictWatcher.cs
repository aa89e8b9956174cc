using EdgeMl.Agent.LineIo;
using EdgeMl.Agent.Sync;
using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Escalation;

/// <summary>
/// Follows the inspectors' verdicts on this device's cases (<c>CaseService.WatchVerdicts</c>): a part waiting in the
/// hold lane for a case is released (ok) or scrapped (defect), and each verdict is acknowledged once applied, so
/// the server stops sending it. A verdict for a part this agent no longer holds (it restarted) is acknowledged too.
/// </summary>
internal sealed partial class VerdictWatcher(
    DeviceEnrolment enrolment,
    FleetConnection connection,
    HeldCases held,
    CaseCounters counters,
    IOptions<AgentOptions> agent,
    TimeProvider time,
    ILogger<VerdictWatcher> logger,
    PartRouter? router = null) : BackgroundService
{
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var client = connection.Cases(await enrolment.EnsureAsync(stoppingToken));
                using var call = client.WatchVerdicts(new WatchVerdictsRequest(), cancellationToken: stoppingToken);
                await foreach (var verdict in call.ResponseStream.ReadAllAsync(stoppingToken))
                {
                    Apply(verdict);
                    await client.AcknowledgeVerdictsAsync(new AcknowledgeVerdictsRequest { CaseIds = { verdict.CaseId } }, deadline: time.GetUtcNow().UtcDateTime + CallDeadline, cancellationToken: stoppingToken);
                    failures = 0;
                }

                // The server ended the stream (a restart, or a second stream of this device): open it again.
                failures++;
            }
            catch (Exception e) when (stoppingToken.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                return;
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException or InvalidOperationException)
            {
                if (failures++ == 0)
                {
                    LogCut(logger, e.Message);
                }
            }

            await Task.Delay(Backoff(failures), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private void Apply(CaseVerdict verdict)
    {
        counters.CountVerdict();
        if (!held.TryTake(verdict.CaseId, out var part))
        {
            LogNoPart(logger, verdict.CaseId, verdict.Verdict);
            return;
        }

        var action = verdict.Verdict == "defect" ? HeldVerdict.Scrap : HeldVerdict.Release;
        var moved = router?.ResolveHeld(part, action) ?? false;
        LogApplied(logger, verdict.CaseId, verdict.Verdict, verdict.Inspector, part, action, moved);
    }

    private TimeSpan Backoff(int failures)
    {
        var o = agent.Value;
        return TimeSpan.FromMilliseconds(Math.Min(o.MaxBackoff.TotalMilliseconds, o.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(Math.Max(failures, 1) - 1, 20))));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "verdict {Verdict} by {Inspector} on case {CaseId}: part {Part} {Action} (moved: {Moved})")]
    private static partial void LogApplied(ILogger logger, string caseId, string verdict, string inspector, long part, HeldVerdict action, bool moved);

    [LoggerMessage(Level = LogLevel.Debug, Message = "verdict {Verdict} on case {CaseId}: no part of this agent waits for it")]
    private static partial void LogNoPart(ILogger logger, string caseId, string verdict);

    [LoggerMessage(Level = LogLevel.Warning, Message = "verdict stream from the fleet server cut ({Reason}); reconnecting, verdicts meanwhile wait on the server")]
    private static partial void LogCut(ILogger logger, string reason);
}
