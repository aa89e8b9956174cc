using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// Delivers status reports in the order they were made and keeps each one until the server has
/// acknowledged it: a server that is away only delays reports. Of the reports of one kind only the
/// newest waits (a newer one takes its place), so an outage holds a handful of reports, never a backlog.
/// </summary>
public sealed partial class StatusReporter(
    DeviceEnrolment enrolment,
    FleetConnection connection,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<StatusReporter> logger) : BackgroundService
{
    /// <summary>Progress of the active model of a desired state, or the device having no model.</summary>
    public const string ActiveKind = "active";

    public const string ShadowKind = "shadow";

    /// <summary>Desired states refused, or the last one expired.</summary>
    public const string TrustKind = "trust";

    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly List<(string Kind, StatusReport Report)> _pending = [];
    private readonly SemaphoreSlim _posted = new(0);

    /// <summary>Raised for every report posted, on the poster's thread; device events are made from failures and refusals.</summary>
    public event Action<StatusReport>? Posted;

    /// <summary>Reports not yet acknowledged by the server.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Queues <paramref name="report"/> behind every other pending report and drops a pending one of the same
    /// <paramref name="kind"/>: reports arrive in the order they were made, so the last one posted (the shadow's, after
    /// its active model's) is the one the server keeps, even when an older report of that kind was still waiting.
    /// </summary>
    public void Post(string kind, StatusReport report)
    {
        report.AgentVersion = AgentVersion.Current;
        lock (_lock)
        {
            _pending.RemoveAll(p => p.Kind == kind);
            _pending.Add((kind, report));
        }

        _posted.Release();
        Posted?.Invoke(report);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = Peek();
            if (next is null)
            {
                await _posted.WaitAsync(stoppingToken);
                continue;
            }

            try
            {
                var identity = await enrolment.EnsureAsync(stoppingToken);
                await connection.For(identity).ReportStatusAsync(next.Value.Report, deadline: time.GetUtcNow().UtcDateTime + CallDeadline, cancellationToken: stoppingToken);
                Remove(next.Value);
                if (failures > 0)
                {
                    LogDelivered(logger, failures);
                }

                failures = 0;
            }
            catch (Exception e) when (stoppingToken.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange or StatusCode.NotFound or StatusCode.PermissionDenied or StatusCode.Unimplemented)
            {
                // The server took the report and said no: sending it again would get the same answer and hold up the reports behind it.
                LogRejected(logger, next.Value.Report.State, e.Status.Detail);
                Remove(next.Value);
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException or InvalidOperationException)
            {
                if (failures++ == 0)
                {
                    LogWaiting(logger, next.Value.Report.State, e.Message);
                }

                await Task.Delay(Backoff(failures), time, stoppingToken);
            }
        }
    }

    public override void Dispose()
    {
        _posted.Dispose();
        base.Dispose();
    }

    private (string Kind, StatusReport Report)? Peek()
    {
        lock (_lock)
        {
            return _pending.Count > 0 ? _pending[0] : null;
        }
    }

    /// <summary>Removes the delivered report unless a newer one of its kind already replaced it.</summary>
    private void Remove((string Kind, StatusReport Report) delivered)
    {
        lock (_lock)
        {
            _pending.RemoveAll(p => ReferenceEquals(p.Report, delivered.Report));
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var o = options.Value;
        return TimeSpan.FromMilliseconds(Math.Min(o.MaxBackoff.TotalMilliseconds, o.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20))));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Status report {State} not delivered ({Reason}); reports wait in the agent until the server takes them")]
    private static partial void LogWaiting(ILogger logger, DeviceModelState state, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server rejected status report {State}: {Detail}")]
    private static partial void LogRejected(ILogger logger, DeviceModelState state, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting status reports delivered after {Failures} failed attempts")]
    private static partial void LogDelivered(ILogger logger, int failures);
}
