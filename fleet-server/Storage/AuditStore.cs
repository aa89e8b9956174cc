using System.Data.Common;
using System.Globalization;

namespace EdgeMl.Fleet.Storage;

/// <summary>Append-only log of every change of state.</summary>
internal sealed class AuditStore(FleetDatabase db, TimeProvider time)
{
    private const string Insert =
        "INSERT INTO audit_log (id, occurred_at, actor, action, subject, detail) VALUES (@id, @occurred_at, @actor, @action, @subject, @detail)";

    private const string SelectNewest =
        "SELECT occurred_at, actor, action, subject, detail FROM audit_log ORDER BY occurred_at DESC, id DESC LIMIT @limit";

    private long _lastTicks;

    public AuditStore(FleetDatabase db)
        : this(db, TimeProvider.System)
    {
    }

    public Task AppendAsync(AuditRecord entry, CancellationToken cancellationToken) =>
        db.InTransactionAsync(transaction => AppendAsync(transaction, entry, cancellationToken), cancellationToken);

    /// <summary>Appends inside <paramref name="transaction"/>, so the entry is kept exactly when the change it records is.</summary>
    public async Task AppendAsync(DbTransaction transaction, AuditRecord entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await transaction.CreateCommand(Insert)
            .Bind("@id", NextId())
            .Bind("@occurred_at", entry.At)
            .Bind("@actor", entry.Actor)
            .Bind("@action", entry.Action)
            .Bind("@subject", entry.Subject)
            .Bind("@detail", entry.Detail)
            .ExecuteAsync(cancellationToken);
    }

    /// <summary>The newest <paramref name="limit"/> entries, newest first; entries with the same time newest-appended first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectNewest).Bind("@limit", (long)limit).QueryAsync(Read, cancellationToken);
    }

    // Ticks that never repeat or go back within this process, so ids sort in append order; the random
    // tail keeps ids unique across replicas that append in the same tick.
    private string NextId()
    {
        long ticks;
        long last;
        do
        {
            last = Interlocked.Read(ref _lastTicks);
            ticks = Math.Max(last + 1, time.GetUtcNow().UtcTicks);
        }
        while (Interlocked.CompareExchange(ref _lastTicks, ticks, last) != last);

        return string.Create(CultureInfo.InvariantCulture, $"{ticks:D19}-{Random.Shared.Next():x8}");
    }

    private static AuditRecord Read(DbDataReader row) =>
        new(row.GetTimestamp(0), row.GetString(1), row.GetString(2), row.GetString(3), row.GetString(4));
}
