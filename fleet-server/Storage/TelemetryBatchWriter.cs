using System.Data.Common;
using Google.Protobuf;

namespace EdgeMl.Fleet.Storage;

/// <summary>
/// Stores batches of telemetry records, each in one transaction, over one connection and one prepared statement kept from
/// batch to batch: opening, configuring and preparing again for every batch cost SQLite more than a small batch's rows.
/// A batch that fails leaves the writer to open a new connection for the next.
/// </summary>
internal sealed class TelemetryBatchWriter(FleetDatabase db) : IAsyncDisposable
{
    // Statements per round trip to PostgreSQL.
    private const int BatchSize = 500;

    private const string Insert =
        "INSERT INTO telemetry_aggregates (message_id, device_id, role, model_name, model_version, window_start, window_end, received_at, " +
        "frames, errors, escalations, payload) VALUES (@message_id, @device_id, @role, @model_name, @model_version, @window_start, @window_end, " +
        "@received_at, @frames, @errors, @escalations, @payload) ON CONFLICT (message_id) DO NOTHING";

    private DbConnection? _connection;
    private DbCommand? _insert;

    /// <summary>
    /// Stores the records in one transaction, all or none; returns how many were new (a message id already stored, or twice in
    /// <paramref name="records"/>, is stored once). Throws what the database throws.
    /// </summary>
    public async Task<int> AddAsync(IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return 0;
        }

        try
        {
            if (_connection is null)
            {
                _connection = await db.OpenAsync(cancellationToken);
                _insert = _connection.CreateCommand(Insert);
            }

            await using var transaction = await _connection.BeginTransactionAsync(cancellationToken);
            _insert!.Transaction = transaction;
            var added = _connection.CanCreateBatch
                ? await InsertInBatchesAsync(_connection, transaction, _insert, records, cancellationToken)
                : await InsertOneByOneAsync(_insert, records, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return added;
        }
        catch
        {
            await CloseAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => CloseAsync();

    private async ValueTask CloseAsync()
    {
        if (_insert is not null)
        {
            await _insert.DisposeAsync();
            _insert = null;
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    // SQLite runs in-process: one prepared statement executed per row costs microseconds. (A statement of many rows costs
    // more there, not less: SQLite finds each named parameter by a linear search.)
    private static async Task<int> InsertOneByOneAsync(DbCommand insert, IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken)
    {
        var added = 0;
        for (var i = 0; i < records.Count; i++)
        {
            BindRecord(insert, records[i]);
            added += await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return added;
    }

    // A server (PostgreSQL) costs a network round trip per command: send a few hundred per batch.
    private static async Task<int> InsertInBatchesAsync(
        DbConnection connection, DbTransaction transaction, DbCommand insert, IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken)
    {
        var added = 0;
        foreach (var chunk in records.Chunk(BatchSize))
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            foreach (var record in chunk)
            {
                BindRecord(insert, record).AppendTo(batch);
            }

            added += await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        return added;
    }

    private static DbCommand BindRecord(DbCommand insert, TelemetryRecord record)
    {
        var aggregate = record.Aggregate;
        return insert
            .Bind("@message_id", aggregate.MessageId)
            .Bind("@device_id", record.DeviceId)
            .Bind("@role", TelemetryStore.RoleName(aggregate.Role))
            .Bind("@model_name", aggregate.ModelName)
            .Bind("@model_version", aggregate.ModelVersion)
            .Bind("@window_start", aggregate.WindowStart?.ToDateTimeOffset() ?? record.ReceivedAt)
            .Bind("@window_end", aggregate.WindowEnd?.ToDateTimeOffset() ?? record.ReceivedAt)
            .Bind("@received_at", record.ReceivedAt)
            .Bind("@frames", checked((long)aggregate.Frames))
            .Bind("@errors", checked((long)(aggregate.Decisions?.Error ?? 0)))
            .Bind("@escalations", checked((long)(aggregate.Decisions?.Escalate ?? 0)))
            .Bind("@payload", Convert.ToBase64String(record.Payload ?? aggregate.ToByteArray()));
    }
}
