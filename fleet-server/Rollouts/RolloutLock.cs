using System.Data.Common;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// One change to rollouts at a time across every replica: the leader's step and an admin's start, pause or rollback
/// on any replica each read, decide and commit under it, so none commits on top of a state another has replaced.
/// In-process first, then (on PostgreSQL) a session advisory lock that a dying replica's connection gives back.
/// </summary>
internal sealed class RolloutLock(FleetDatabase database) : IDisposable
{
    // 7341 serialises migrations, 7342 is the leader's.
    private const string Key = "7343";
    private const string Take = "SELECT pg_advisory_lock(" + Key + ")";
    private const string Give = "SELECT pg_advisory_unlock(" + Key + ")";

    private readonly SemaphoreSlim _local = new(1, 1);

    public async Task<Held> EnterAsync(CancellationToken cancellationToken)
    {
        await _local.WaitAsync(cancellationToken);
        if (!database.IsPostgres)
        {
            return new Held(this, null);
        }

        DbConnection? connection = null;
        try
        {
            connection = await database.OpenAsync(cancellationToken);
            await connection.CreateCommand(Take).ExecuteAsync(cancellationToken);
            return new Held(this, connection);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            _local.Release();
            throw;
        }
    }

    public void Dispose() => _local.Dispose();

    internal sealed class Held(RolloutLock owner, DbConnection? connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                if (connection is not null)
                {
                    await using (connection)
                    {
                        // Not cancellable: a lock left on a pooled connection would block every replica.
                        await connection.CreateCommand(Give).ExecuteAsync(CancellationToken.None);
                    }
                }
            }
            finally
            {
                owner._local.Release();
            }
        }
    }
}
