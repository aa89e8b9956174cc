using System.Security.Cryptography;
using System.Threading.Channels;
using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// Keeps the desired-state stream open (reconnecting with exponential backoff and jitter), trusts
/// only states signed by the fleet key, unexpired and not older than the last, and applies the
/// newest one at a time.
/// </summary>
public sealed partial class FleetSync(
    ModelUpdater updater,
    DeviceEnrolment enrolment,
    FleetConnection connection,
    FleetTrust trust,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<FleetSync> logger) : BackgroundService
{
    private readonly Channel<DesiredState> _pending = Channel.CreateBounded<DesiredState>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly DesiredStateCheck _check = new(time, trust);

    /// <summary>True while the stream to the server is open.</summary>
    public bool Connected { get; private set; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Task.Run(() => WatchAsync(stoppingToken), stoppingToken), Task.Run(() => ApplyAsync(stoppingToken), stoppingToken));

    private async Task WatchAsync(CancellationToken token)
    {
        var attempt = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var identity = await enrolment.EnsureAsync(token);
                using var call = connection.For(identity).WatchDesiredState(new WatchDesiredStateRequest { KnownRevision = _check.Revision }, cancellationToken: token);
                await foreach (var signed in call.ResponseStream.ReadAllAsync(token))
                {
                    Connected = true;
                    attempt = 0;
                    if (_check.Accept(signed, identity, out var refusal) is { } state)
                    {
                        _pending.Writer.TryWrite(state);
                    }
                    else
                    {
                        LogRefused(logger, refusal!);
                    }
                }

                LogStreamEnded(logger);
            }
            catch (Exception e) when (!token.IsCancellationRequested && e is RpcException or HttpRequestException or IOException or InvalidOperationException)
            {
                LogDisconnected(logger, e.Message);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }

            Connected = false;
            try
            {
                await Task.Delay(Backoff(attempt++), time, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ApplyAsync(CancellationToken token)
    {
        try
        {
            await foreach (var state in _pending.Reader.ReadAllAsync(token))
            {
                await updater.ApplyAsync(state, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var o = options.Value;
        var ceiling = Math.Min(o.MaxBackoff.TotalMilliseconds, o.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
        // Full jitter in the upper half: a fleet that lost its server does not come back in lockstep.
        return TimeSpan.FromMilliseconds((ceiling / 2) + (ceiling / 2 * RandomNumberGenerator.GetInt32(1000) / 1000.0));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fleet server unreachable or stream cut: {Reason}; reconnecting")]
    private static partial void LogDisconnected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Desired-state stream ended by the server; reconnecting")]
    private static partial void LogStreamEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Desired state refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
