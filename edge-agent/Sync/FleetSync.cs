using System.Security.Cryptography;
using System.Threading.Channels;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// Keeps the desired-state stream open (reconnecting with exponential backoff and jitter), trusts
/// only states signed by the fleet key, unexpired and not older than the highest accepted (which
/// survives restarts), and applies the newest one at a time: a newer revision cancels the update in
/// progress. Refusals are reported to the server, and a last state that expires without a fresh one
/// raises a warning and a stale report instead of going quiet.
/// </summary>
public sealed partial class FleetSync : BackgroundService
{
    private readonly Channel<DesiredState> _pending = Channel.CreateBounded<DesiredState>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Lock _lock = new();
    private readonly ModelUpdater _updater;
    private readonly DeviceEnrolment _enrolment;
    private readonly FleetConnection _connection;
    private readonly StatusReporter _reporter;
    private readonly FleetTrust _trust;
    private readonly IOptions<AgentOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<FleetSync> _logger;
    private readonly ITimer _expiry;
    private DesiredStateCheck? _check;
    private DesiredState? _accepted;
    private ulong _newest;
    private (ulong Revision, CancellationTokenSource Cancel)? _applying;
    private (ulong Revision, int Attempts) _failed;

    public FleetSync(ModelUpdater updater, DeviceEnrolment enrolment, FleetConnection connection, FleetTrust trust, StatusReporter reporter, IOptions<AgentOptions> options, TimeProvider time, ILogger<FleetSync> logger)
    {
        _updater = updater;
        _enrolment = enrolment;
        _connection = connection;
        _reporter = reporter;
        _trust = trust;
        _options = options;
        _time = time;
        _logger = logger;
        _expiry = time.CreateTimer(_ => OnExpired(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True while the stream to the server is open.</summary>
    public bool Connected { get; private set; }

    /// <summary>True once the last accepted desired state has expired without a fresh one (alerted and reported).</summary>
    public bool Stale { get; private set; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Task.Run(() => WatchAsync(stoppingToken), stoppingToken), Task.Run(() => ApplyAsync(stoppingToken), stoppingToken));

    public override void Dispose()
    {
        _expiry.Dispose();
        base.Dispose();
    }

    private async Task WatchAsync(CancellationToken token)
    {
        var attempt = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var identity = await _enrolment.EnsureAsync(token);
                _check ??= new DesiredStateCheck(_time, _trust, AcceptedRevision.Load(_options.Value.DataDirectory, identity.DeviceId));
                using var call = _connection.For(identity).WatchDesiredState(new WatchDesiredStateRequest { KnownRevision = _check.Revision, ManifestFields = { ManifestFields.Known } }, cancellationToken: token);
                await foreach (var signed in call.ResponseStream.ReadAllAsync(token))
                {
                    Connected = true;
                    var before = _check.Revision;
                    if (_check.Accept(signed, identity, out var refusal) is { } state)
                    {
                        attempt = 0;
                        if (state.Revision > before)
                        {
                            AcceptedRevision.Save(_options.Value.DataDirectory, identity.DeviceId, state.Revision);
                        }

                        Accepted(state);
                    }
                    else
                    {
                        // The server sends a state again only on a new stream: one damaged on its way would otherwise stay
                        // refused until the next change. Asked again with backoff, so a state that is truly bad is not asked for in a loop.
                        Refused(refusal!);
                        break;
                    }
                }

                LogStreamEnded(_logger);
            }
            catch (Exception e) when (!token.IsCancellationRequested && e is RpcException or HttpRequestException or IOException or InvalidOperationException)
            {
                LogDisconnected(_logger, e.Message);
            }
            catch (Exception e) when (token.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                return;
            }

            Connected = false;
            try
            {
                await Task.Delay(Backoff(attempt++), _time, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Accepted(DesiredState state)
    {
        lock (_lock)
        {
            _accepted = state;
            Stale = false;
            _newest = Math.Max(_newest, state.Revision);
            // Under the lock: the apply loop disposes the source after it clears _applying.
            if (_applying is { } applying && applying.Revision < state.Revision)
            {
                applying.Cancel.Cancel();
            }
        }

        WatchExpiry(state);
        _pending.Writer.TryWrite(state);
    }

    private void Refused(string refusal)
    {
        LogRefused(_logger, refusal);
        _reporter.Post(StatusReporter.TrustKind, Report(DeviceModelState.Refused, $"desired state refused: {refusal}"));
    }

    /// <summary>Wakes up when <paramref name="state"/> expires; a fresher state moves the wake-up.</summary>
    private void WatchExpiry(DesiredState state) =>
        _expiry.Change(TimeSpan.FromMilliseconds(Math.Max(0, state.ExpiresAtUnixMs - _time.GetUtcNow().ToUnixTimeMilliseconds()) + 1), Timeout.InfiniteTimeSpan);

    private void OnExpired()
    {
        DesiredState last;
        lock (_lock)
        {
            if (_accepted is null)
            {
                return;
            }

            last = _accepted;
            if (last.ExpiresAtUnixMs >= _time.GetUtcNow().ToUnixTimeMilliseconds())
            {
                // Timers may fire a little early.
                WatchExpiry(last);
                return;
            }

            Stale = true;
        }

        var expired = DateTimeOffset.FromUnixTimeMilliseconds(last.ExpiresAtUnixMs);
        LogStale(_logger, last.Revision, expired);
        _reporter.Post(StatusReporter.TrustKind, Report(DeviceModelState.Stale, $"desired-state revision {last.Revision} expired at {expired:O} and no fresh one came; scoring on with the current model"));
    }

    /// <summary>A report about the device as it stands: the revision it last accepted, the model it runs.</summary>
    private StatusReport Report(DeviceModelState state, string reason)
    {
        var active = _updater.State.Active;
        return new StatusReport
        {
            Revision = _check?.Revision ?? 0,
            ModelName = active?.Name ?? "",
            ModelVersion = active?.Version ?? "",
            State = state,
            Reason = reason,
        };
    }

    private async Task ApplyAsync(CancellationToken token)
    {
        try
        {
            await foreach (var state in _pending.Reader.ReadAllAsync(token))
            {
                using var step = CancellationTokenSource.CreateLinkedTokenSource(token);
                bool outdated;
                lock (_lock)
                {
                    _applying = (state.Revision, step);
                    outdated = _newest > state.Revision;
                }

                try
                {
                    if (!outdated && !await _updater.ApplyAsync(state, step.Token))
                    {
                        RetryLater(state, token);
                    }
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    // A newer revision is waiting in the channel and is applied next.
                }
                catch (Exception e) when (!token.IsCancellationRequested && e is IOException or UnauthorizedAccessException or RpcException or InvalidOperationException)
                {
                    // Tried again when the server re-sends the state; the loop must outlive one bad update.
                    LogApplyFailed(_logger, state.Revision, e.Message);
                }
                finally
                {
                    lock (_lock)
                    {
                        _applying = null;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// A failed update (bytes damaged on the way, the disk full, the server gone mid-download) is tried
    /// again with backoff for as long as its revision is the newest: the device recovers by itself once
    /// the cause is gone, and a newer state (a rollback included) ends the retries.
    /// </summary>
    private void RetryLater(DesiredState state, CancellationToken token)
    {
        int attempts;
        lock (_lock)
        {
            _failed = _failed.Revision == state.Revision ? (state.Revision, _failed.Attempts + 1) : (state.Revision, 1);
            attempts = _failed.Attempts;
        }

        var delay = Backoff(attempts);
        LogRetrying(_logger, state.Revision, delay.TotalSeconds);
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await Task.Delay(delay, _time, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                lock (_lock)
                {
                    if (_newest == state.Revision)
                    {
                        _pending.Writer.TryWrite(state);
                    }
                }
            },
            token);
    }

    private TimeSpan Backoff(int attempt)
    {
        var o = _options.Value;
        var ceiling = Math.Min(o.MaxBackoff.TotalMilliseconds, o.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
        // Full jitter in the upper half: a fleet that lost its server does not come back in lockstep.
        return TimeSpan.FromMilliseconds((ceiling / 2) + (ceiling / 2 * RandomNumberGenerator.GetInt32(1000) / 1000.0));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Desired-state revision {Revision} failed to apply; trying again in {Seconds:F1} s")]
    private static partial void LogRetrying(ILogger logger, ulong revision, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fleet server unreachable or stream cut: {Reason}; reconnecting")]
    private static partial void LogDisconnected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Desired-state stream ended by the server; reconnecting")]
    private static partial void LogStreamEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Desired state refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Desired-state revision {Revision} could not be applied: {Reason}")]
    private static partial void LogApplyFailed(ILogger logger, ulong revision, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Desired-state revision {Revision} expired at {Expired} and no fresh one came: the fleet's intent for this device is unknown; scoring on with the current model")]
    private static partial void LogStale(ILogger logger, ulong revision, DateTimeOffset expired);
}
