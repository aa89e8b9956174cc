using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Outbox;

/// <summary>
/// The durable outbox (DESIGN.md, "What leaves the device"): a message is committed (WAL,
/// synchronous=FULL, so it survives kill -9 and power loss) before anyone sends it, and deleted
/// only when its receiver acknowledged it. Bounded: making room drops the oldest telemetry and
/// counts it; anything else is refused rather than dropped.
/// </summary>
public sealed partial class OutboxStore : IDisposable
{
    private const string DroppedCounter = "dropped_telemetry";

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxStore> _logger;
    private long _messages;
    private long _bytes;
    private long _dropped;

    public OutboxStore(IOptions<OutboxOptions> options, TimeProvider time, ILogger<OutboxStore> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        var directory = Path.GetDirectoryName(Path.GetFullPath(_options.Path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _options.Path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA synchronous=FULL;");
        OutboxSchema.Migrate(_connection);
        using var totals = Command("SELECT count(*), coalesce(sum(length(payload)), 0), (SELECT coalesce(max(value), 0) FROM counters WHERE name = $name) FROM messages;", ("$name", DroppedCounter));
        using var reader = totals.ExecuteReader();
        reader.Read();
        _messages = reader.GetInt64(0);
        _bytes = reader.GetInt64(1);
        _dropped = reader.GetInt64(2);
    }

    /// <summary>Raised after a message was committed (outside the store's lock), so a sender waits for work instead of polling.</summary>
    public event Action<OutboxKind>? Enqueued;

    public OutboxUsage Usage
    {
        get
        {
            lock (_gate)
            {
                return new OutboxUsage(_messages, _bytes, _dropped);
            }
        }
    }

    /// <summary>Writes <paramref name="payload"/> durably under <paramref name="id"/> before it is sent; returns once it is on disk (or why it is not).</summary>
    public OutboxAdmission Enqueue(OutboxKind kind, string id, ReadOnlySpan<byte> payload)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using (var exists = Command("SELECT 1 FROM messages WHERE id = $id;", ("$id", id)))
            {
                exists.Transaction = transaction;
                if (exists.ExecuteScalar() is not null)
                {
                    return OutboxAdmission.Duplicate;
                }
            }

            var (messages, bytes, evicted) = (_messages, _bytes, 0L);
            while (messages + 1 > _options.MaxMessages || bytes + payload.Length > _options.MaxBytes)
            {
                var freed = payload.Length > _options.MaxBytes ? null : EvictOldestTelemetry(transaction);
                if (freed is null)
                {
                    transaction.Rollback();
                    return Refuse(kind, id, payload.Length);
                }

                (messages, bytes, evicted) = (messages - 1, bytes - freed.Value, evicted + 1);
            }

            using (var insert = Command(
                "INSERT INTO messages (id, kind, payload, created_at) VALUES ($id, $kind, $payload, $created);",
                ("$id", id),
                ("$kind", Name(kind)),
                ("$payload", payload.ToArray()),
                ("$created", _time.GetUtcNow().ToUnixTimeMilliseconds())))
            {
                insert.Transaction = transaction;
                insert.ExecuteNonQuery();
            }

            if (evicted > 0)
            {
                CountDropped(evicted, transaction);
            }

            transaction.Commit();
            (_messages, _bytes, _dropped) = (messages + 1, bytes + payload.Length, _dropped + evicted);
            if (evicted > 0)
            {
                LogTelemetryDropped(_logger, evicted, _dropped);
            }
        }

        Enqueued?.Invoke(kind);
        return OutboxAdmission.Accepted;
    }

    /// <summary>
    /// Up to <paramref name="max"/> waiting messages, oldest first; they stay until acknowledged. With <paramref name="kinds"/>,
    /// only messages of those kinds: each receiver (broker, server) drains its own.
    /// </summary>
    public IReadOnlyList<OutboxMessage> ReadBatch(int max, IReadOnlyCollection<OutboxKind>? kinds = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var filter = kinds is null ? "" : $"WHERE kind IN ({string.Join(", ", kinds.Select(k => $"'{Name(k)}'"))}) ";
        lock (_gate)
        {
            using var select = Command($"SELECT id, kind, payload, created_at FROM messages {filter}ORDER BY seq LIMIT $max;", ("$max", max));
            using var reader = select.ExecuteReader();
            var batch = new List<OutboxMessage>();
            while (reader.Read())
            {
                batch.Add(new OutboxMessage(
                    reader.GetString(0),
                    Enum.Parse<OutboxKind>(reader.GetString(1), ignoreCase: true),
                    (byte[])reader.GetValue(2),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
            }

            return batch;
        }
    }

    /// <summary>Up to <paramref name="max"/> waiting messages of one <paramref name="kind"/>, oldest first: each kind has its own sender.</summary>
    public IReadOnlyList<OutboxMessage> ReadBatch(OutboxKind kind, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        lock (_gate)
        {
            using var select = Command("SELECT id, payload, created_at FROM messages WHERE kind = $kind ORDER BY seq LIMIT $max;", ("$kind", Name(kind)), ("$max", max));
            using var reader = select.ExecuteReader();
            var batch = new List<OutboxMessage>();
            while (reader.Read())
            {
                batch.Add(new OutboxMessage(reader.GetString(0), kind, (byte[])reader.GetValue(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
            }

            return batch;
        }
    }

    /// <summary>How many messages of <paramref name="kind"/> wait, and their payload bytes.</summary>
    public (long Messages, long Bytes) Held(OutboxKind kind)
    {
        lock (_gate)
        {
            using var totals = Command("SELECT count(*), coalesce(sum(length(payload)), 0) FROM messages WHERE kind = $kind;", ("$kind", Name(kind)));
            using var reader = totals.ExecuteReader();
            reader.Read();
            return (reader.GetInt64(0), reader.GetInt64(1));
        }
    }

    /// <summary>The bounds this outbox keeps to.</summary>
    public OutboxOptions Bounds => _options;

    /// <summary>The receiver has <paramref name="id"/>: it leaves the outbox. False when it was not there (already acknowledged).</summary>
    public bool Acknowledge(string id)
    {
        lock (_gate)
        {
            using var delete = Command("DELETE FROM messages WHERE id = $id RETURNING length(payload);", ("$id", id));
            if (delete.ExecuteScalar() is not long length)
            {
                return false;
            }

            _messages--;
            _bytes -= length;
            return true;
        }
    }

    public void Dispose() => _connection.Dispose();

    private long? EvictOldestTelemetry(SqliteTransaction transaction)
    {
        using var delete = Command(
            "DELETE FROM messages WHERE seq = (SELECT seq FROM messages WHERE kind = $kind ORDER BY seq LIMIT 1) RETURNING length(payload);",
            ("$kind", Name(OutboxKind.Telemetry)));
        delete.Transaction = transaction;
        return delete.ExecuteScalar() as long?;
    }

    private OutboxAdmission Refuse(OutboxKind kind, string id, int length)
    {
        if (kind == OutboxKind.Telemetry)
        {
            CountDropped(1, transaction: null);
            _dropped++;
            LogTelemetryDropped(_logger, 1, _dropped);
        }
        else
        {
            LogRefused(_logger, kind, id, length, _messages, _bytes);
        }

        return OutboxAdmission.Refused;
    }

    private void CountDropped(long count, SqliteTransaction? transaction)
    {
        using var upsert = Command(
            "INSERT INTO counters (name, value) VALUES ($name, $n) ON CONFLICT (name) DO UPDATE SET value = value + $n;",
            ("$name", DroppedCounter),
            ("$n", count));
        upsert.Transaction = transaction;
        upsert.ExecuteNonQuery();
    }

    private static string Name(OutboxKind kind) => kind.ToString().ToLowerInvariant();

    private SqliteCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "outbox full: dropped {Count} telemetry message(s) to make room ({Total} dropped so far)")]
    private static partial void LogTelemetryDropped(ILogger logger, long count, long total);

    [LoggerMessage(Level = LogLevel.Error, Message = "outbox full: {Kind} {Id} ({Length} bytes) refused, nothing left to drop ({Messages} messages, {Bytes} bytes waiting); raise Outbox:MaxBytes/MaxMessages or restore the connection to the fleet")]
    private static partial void LogRefused(ILogger logger, OutboxKind kind, string id, int length, long messages, long bytes);
}
