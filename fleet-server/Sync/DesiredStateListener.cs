using EdgeMl.Fleet.Devices;
using EdgeMl.Fleet.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EdgeMl.Fleet.Sync;

/// <summary>
/// On PostgreSQL: listens for the other replicas' <see cref="DesiredStateNotices"/> on a connection of its own and
/// hands the new states of the devices connected here to their watch streams, or ends every session of one revoked (<see cref="DeviceRevocations"/>).
/// After a lost connection it listens again and gives every connected device its current state (or ends its sessions), since notices sent meanwhile are gone.
/// </summary>
internal sealed partial class DesiredStateListener(
    FleetDatabase database,
    FleetStores stores,
    DesiredStateHub hub,
    DeviceRevocations revocations,
    DesiredStateNotices notices,
    TimeProvider time,
    ILogger<DesiredStateListener> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first LISTEN is in place (a notice committed after that reaches this replica).</summary>
    public Task Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(first, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever broke (the connection, a read), this replica's devices must not stop hearing of changes.
                LogLost(logger, e);
                first = false;
                await Task.Delay(RetryDelay, time, stoppingToken);
            }
        }
    }

    private async Task ListenAsync(bool first, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenSessionAsync(cancellationToken);
        var named = new List<string>();
        session.Notification += (_, e) => named.AddRange(notices.DevicesOf(e.Payload));
        await using (var listen = new NpgsqlCommand($"LISTEN {DesiredStateNotices.Channel}", session))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        _listening.TrySetResult();
        if (!first)
        {
            await DeliverAsync(revocations.Devices, cancellationToken);
        }

        while (true)
        {
            // Notification handlers run inside WaitAsync, on this loop: the list needs no lock.
            await session.WaitAsync(cancellationToken);
            // Any session counts: a revoked device's verdict stream, download or MQTT connection ends too.
            var connectedHere = named.Where(revocations.HasSessions).ToList();
            named.Clear();
            await DeliverAsync(connectedHere, cancellationToken);
        }
    }

    private async Task DeliverAsync(IReadOnlyCollection<string> devices, CancellationToken cancellationToken)
    {
        if (devices.Count == 0)
        {
            return;
        }

        var states = await stores.DesiredStates.ListOfAsync(devices, cancellationToken);
        await hub.PublishAsync(states, cancellationToken);

        // Named but without a desired state: revoked on another replica (the state goes with the device), or simply given
        // none yet; the device's own row tells which.
        foreach (var stateless in devices.Except(states.Select(s => s.DeviceId), StringComparer.Ordinal))
        {
            if (await stores.Devices.GetAsync(stateless, cancellationToken) is null)
            {
                revocations.Revoke(stateless);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for other replicas' desired-state changes failed; listening again, then re-sending every connected device its current state")]
    private static partial void LogLost(ILogger logger, Exception exception);
}
