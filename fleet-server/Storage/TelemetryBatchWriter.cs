using System.Data.Common;
using System.Globalization;
using Google.Protobuf;

namespace EdgeMl.Fleet.Storage;

/// <summary>
/// Stores batches of telemetry records, each in one transaction, over one connection and prepared statements kept from
/// batch to batch: opening, configuring and preparing again for every batch cost SQLite more than a small batch's rows.
/// A batch that fails leaves the writer to open a new connection for the next. Each device's windows are listed in
/// <c>telemetry_device_windows</c> (migration 011): on PostgreSQL with the batch; on SQLite in bulk and in device order,
/// at most every <paramref name="listEvery"/> (<see cref="ListEvery"/> for ingestion).
/// </summary>
internal sealed class TelemetryBatchWriter(FleetDatabase db, TimeSpan listEvery) : IAsyncDisposable
{
    // Statements per round trip to PostgreSQL.
    private const int BatchSize = 500;

    private const string Insert =
        "INSERT INTO telemetry_aggregates (message_id, device_id, role, model_name, model_version, window_start, window_end, received_at, " +
        "frames, errors, escalations, payload) VALUES (@message_id, @device_id, @role, @model_name, @model_version, @window_start, @window_end, " +
        "@received_at, @frames, @errors, @escalations, @payload) ON CONFLICT (message_id) DO NOTHING";

    private const string InsertDeviceWindow =
        "INSERT INTO telemetry_device_windows (device_id, window_end, message_id) VALUES (@device_id, @window_end, @message_id) ON CONFLICT DO NOTHING";

    private const string SelectListedTo = "SELECT received_to FROM telemetry_indexed";

    // Everything received since the last listing, sorted so that each device's page of the index is written once.
    private const string ListNew =
        "INSERT INTO telemetry_device_windows (device_id, window_end, message_id) SELECT device_id, window_end, message_id " +
        "FROM telemetry_aggregates WHERE received_at > @listed_to ORDER BY device_id, window_end, message_id; " +
        "UPDATE telemetry_indexed SET received_to = (SELECT COALESCE(MAX(received_at), @listed_to) FROM telemetry_aggregates)";

    /// <summary>
    /// How long SQLite's aggregates may wait to be listed by device: the longer, the more windows of each device share one
    /// write of its index page, and the more of the newest rows a reader by device scans. A writer's first batch lists
    /// what an earlier writer left unlisted.
    /// </summary>
    public static readonly TimeSpan ListEvery = TimeSpan.FromSeconds(1);

    private DbConnection? _connection;
    private DbCommand? _insert;
    private DbCommand? _insertDeviceWindow; // PostgreSQL
    private DbCommand? _selectListedTo; // SQLite
    private long? _listedAt; // null: this writer has not listed yet

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
                _insertDeviceWindow = db.IsPostgres ? _connection.CreateCommand(InsertDeviceWindow) : null;
                _selectListedTo = db.IsPostgres ? null : _connection.CreateCommand(SelectListedTo);
            }

            await using var transaction = await _connection.BeginTransactionAsync(cancellationToken);
            _insert!.Transaction = transaction;
            int added;
            if (_insertDeviceWindow is not null)
            {
                _insertDeviceWindow.Transaction = transaction;
                added = await InsertInBatchesAsync(_connection, transaction, _insert, _insertDeviceWindow, records, cancellationToken);
            }
            else
            {
                _selectListedTo!.Transaction = transaction;
                var listedTo = Convert.ToInt64(await _selectListedTo.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                added = await InsertOneByOneAsync(_insert, records, listedTo, cancellationToken);
                await ListDevicesWindowsAsync(transaction, listedTo, cancellationToken);
            }

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
        foreach (var command in (DbCommand?[])[_insert, _insertDeviceWindow, _selectListedTo])
        {
            if (command is not null)
            {
                await command.DisposeAsync();
            }
        }

        (_insert, _insertDeviceWindow, _selectListedTo) = (null, null, null);

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    // SQLite runs in-process: one prepared statement executed per row costs microseconds. (A statement of many rows costs
    // more there, not less: SQLite finds each named parameter by a linear search.) A row is received after the last
    // listing, even when the clock stepped back, or it would never be listed by device.
    private static async Task<int> InsertOneByOneAsync(DbCommand insert, IReadOnlyList<TelemetryRecord> records, long listedTo, CancellationToken cancellationToken)
    {
        var added = 0;
        for (var i = 0; i < records.Count; i++)
        {
            BindRecord(insert, records[i], Math.Max(records[i].ReceivedAt.ToUnixTimeMilliseconds(), listedTo + 1));
            added += await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return added;
    }

    private async Task ListDevicesWindowsAsync(DbTransaction transaction, long listedTo, CancellationToken cancellationToken)
    {
        var now = Environment.TickCount64;
        if (now - _listedAt < listEvery.TotalMilliseconds)
        {
            return;
        }

        await transaction.CreateCommand(ListNew).Bind("@listed_to", listedTo).ExecuteAsync(cancellationToken);
        _listedAt = now;
    }

    // A server (PostgreSQL) costs a network round trip per command: send a few hundred rows per batch.
    private static async Task<int> InsertInBatchesAsync(
        DbConnection connection, DbTransaction transaction, DbCommand insert, DbCommand insertDeviceWindow, IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken)
    {
        var added = 0;
        foreach (var chunk in records.Chunk(BatchSize))
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            foreach (var record in chunk)
            {
                BindRecord(insert, record, record.ReceivedAt.ToUnixTimeMilliseconds()).AppendTo(batch);
                insertDeviceWindow
                    .Bind("@device_id", record.DeviceId)
                    .Bind("@window_end", WindowEnd(record))
                    .Bind("@message_id", record.Aggregate.MessageId)
                    .AppendTo(batch);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
            added += batch.BatchCommands.Where((_, i) => i % 2 == 0).Sum(c => c.RecordsAffected);
        }

        return added;
    }

    private static DateTimeOffset WindowEnd(TelemetryRecord record) => record.Aggregate.WindowEnd?.ToDateTimeOffset() ?? record.ReceivedAt;

    private static DbCommand BindRecord(DbCommand insert, TelemetryRecord record, long receivedAt)
    {
        var aggregate = record.Aggregate;
        return insert
            .Bind("@message_id", aggregate.MessageId)
            .Bind("@device_id", record.DeviceId)
            .Bind("@role", TelemetryStore.RoleName(aggregate.Role))
            .Bind("@model_name", aggregate.ModelName)
            .Bind("@model_version", aggregate.ModelVersion)
            .Bind("@window_start", aggregate.WindowStart?.ToDateTimeOffset() ?? record.ReceivedAt)
            .Bind("@window_end", WindowEnd(record))
            .Bind("@received_at", receivedAt)
            .Bind("@frames", checked((long)aggregate.Frames))
            .Bind("@errors", checked((long)(aggregate.Decisions?.Error ?? 0)))
            .Bind("@escalations", checked((long)(aggregate.Decisions?.Escalate ?? 0)))
            .Bind("@payload", Convert.ToBase64String(record.Payload ?? aggregate.ToByteArray()));
    }
}
