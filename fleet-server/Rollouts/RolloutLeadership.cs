using EdgeMl.Fleet.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// Which replica drives rollouts: on PostgreSQL the one holding a session advisory lock on a connection of its own.
/// The lock ends with that connection, so when the leader dies (or loses the database) another replica's next
/// attempt takes it within a tick. On SQLite the single server always leads.
/// </summary>
internal sealed partial class RolloutLeadership(FleetDatabase database, ILogger<RolloutLeadership> logger) : IAsyncDisposable
{
    // 7341 serialises migrations; this key is the leader's.
    private const string LeaderKey = "7342";
    private const string TryLock = "SELECT pg_try_advisory_lock(" + LeaderKey + ")";
    private const string Probe = "SELECT 1";
    private const int ProbeSeconds = 5;

    // Read by /metrics on other threads; written by the coordinator's loop only.
    private volatile NpgsqlConnection? _session;

    public bool IsLeader => !database.IsPostgres || _session is not null;

    /// <summary>
    /// True when this replica leads now: keeps the lock it holds (checking that its connection is alive) or tries to
    /// take it. Called by one loop only (the coordinator's), before each step.
    /// </summary>
    public async Task<bool> HoldAsync(CancellationToken cancellationToken)
    {
        if (!database.IsPostgres)
        {
            return true;
        }

        if (_session is not null)
        {
            try
            {
                await using var probe = new NpgsqlCommand(Probe, _session) { CommandTimeout = ProbeSeconds };
                await probe.ExecuteScalarAsync(cancellationToken);
                return true;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // The lock went with the connection: another replica may lead already.
                LogLost(logger, e);
                await ReleaseAsync();
            }
        }

        var session = await database.OpenSessionAsync(cancellationToken);
        try
        {
            await using var take = new NpgsqlCommand(TryLock, session) { CommandTimeout = ProbeSeconds };
            if (await take.ExecuteScalarAsync(cancellationToken) is true)
            {
                _session = session;
                LogLeading(logger);
                return true;
            }
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }

        await session.DisposeAsync();
        return false;
    }

    /// <summary>Gives the lead up, so that another replica takes it at its next attempt rather than after a failure.</summary>
    public async ValueTask ReleaseAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => ReleaseAsync();

    [LoggerMessage(Level = LogLevel.Information, Message = "This replica now drives rollouts (PostgreSQL advisory lock " + LeaderKey + ")")]
    private static partial void LogLeading(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This replica lost its connection to PostgreSQL and no longer drives rollouts; it tries to lead again on the next tick")]
    private static partial void LogLost(ILogger logger, Exception exception);
}
