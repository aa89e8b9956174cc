using System.Data.Common;
using EdgeMl.Contracts.Telemetry;
using Google.Protobuf;

namespace EdgeMl.Fleet.Storage;

/// <summary>Telemetry aggregates per device and model version; ingestion is idempotent by message id.</summary>
internal sealed class TelemetryStore(FleetDatabase db)
{
    private const string Columns = "device_id, received_at, payload";

    // Statements per round trip to PostgreSQL.
    private const int BatchSize = 500;

    private const string Insert =
        "INSERT INTO telemetry_aggregates (message_id, device_id, role, model_name, model_version, window_start, window_end, received_at, " +
        "frames, errors, escalations, payload) VALUES (@message_id, @device_id, @role, @model_name, @model_version, @window_start, @window_end, " +
        "@received_at, @frames, @errors, @escalations, @payload) ON CONFLICT (message_id) DO NOTHING";

    // The newest windows within the limit, handed back oldest first.
    private const string SelectHead =
        $"SELECT {Columns} FROM (SELECT {Columns}, window_end, message_id FROM telemetry_aggregates " +
        "WHERE (@model_name IS NULL OR model_name = @model_name) AND (@model_version IS NULL OR model_version = @model_version) " +
        "AND (@role IS NULL OR role = @role) AND (@since IS NULL OR window_end > @since) AND (@until IS NULL OR window_end <= @until) ";

    private const string SelectNewest = "SELECT MAX(received_at) FROM telemetry_aggregates";

    private const string SelectReceived =
        $"SELECT {Columns} FROM telemetry_aggregates WHERE received_at > @after " +
        "AND ((model_name = @name AND model_version = @version) OR (model_name = @other_name AND model_version = @other_version)) " +
        "ORDER BY received_at, message_id";

    private const string SelectTail = " ORDER BY window_end DESC, message_id DESC LIMIT @limit) newest ORDER BY window_end, message_id";

    public static string RoleName(ModelRole role) => role switch
    {
        ModelRole.Active => "active",
        ModelRole.Shadow => "shadow",
        _ => "unspecified",
    };

    /// <summary>
    /// Stores the records in one transaction, all or none; returns how many were new (a message id already stored, or twice in
    /// <paramref name="records"/>, is stored once).
    /// </summary>
    public Task<int> AddAsync(IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return Task.FromResult(0);
        }

        return db.InTransactionAsync(
            async (connection, transaction) =>
            {
                await using var insert = connection.CreateCommand(Insert, transaction);
                return connection.CanCreateBatch
                    ? await InsertInBatchesAsync(connection, transaction, insert, records, cancellationToken)
                    : await InsertOneByOneAsync(insert, records, cancellationToken);
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<TelemetryRecord>> ListAsync(TelemetryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await db.OpenAsync(cancellationToken);
        var devices = query.DeviceIds?.ToArray();
        var command = connection.CreateCommand(SelectHead + DbCommandExtensions.InFilter("device_id", "device", devices?.Length) + SelectTail)
            .Bind("@model_name", query.ModelName)
            .Bind("@model_version", query.ModelVersion)
            .Bind("@role", query.Role is { } role ? RoleName(role) : null)
            .Bind("@since", query.Since)
            .Bind("@until", query.Until)
            .Bind("@limit", query.Limit)
            .BindEach("device", devices);
        return await command.QueryAsync(Read, cancellationToken);
    }

    /// <summary>
    /// Every window of the model <paramref name="model"/> or <paramref name="other"/> (name and version each) stored
    /// after <paramref name="after"/>, oldest first: what arrived since a reader's last look, found on the received_at index.
    /// </summary>
    public async Task<IReadOnlyList<TelemetryRecord>> ListReceivedAsync(
        (string Name, string Version) model, (string Name, string Version) other, DateTimeOffset after, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectReceived)
            .Bind("@after", after)
            .Bind("@name", model.Name)
            .Bind("@version", model.Version)
            .Bind("@other_name", other.Name)
            .Bind("@other_version", other.Version)
            .QueryAsync(Read, cancellationToken);
    }

    /// <summary>When the newest aggregate was stored (null while none is): cheap on the received_at index, so watchers can poll it.</summary>
    public async Task<DateTimeOffset?> NewestReceivedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.CreateCommand(SelectNewest).QueryAsync(r => r.GetTimestampOrNull(0), cancellationToken);
        return rows[0];
    }

    // SQLite runs in-process: one prepared statement executed per row costs microseconds. (A statement of many rows costs
    // more there, not less: SQLite finds each named parameter by a linear search.)
    private static async Task<int> InsertOneByOneAsync(DbCommand insert, IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken)
    {
        var added = 0;
        for (var i = 0; i < records.Count; i++)
        {
            BindRecord(insert, records[i]);
            if (i == 0)
            {
                await insert.PrepareAsync(cancellationToken);
            }

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
            .Bind("@role", RoleName(aggregate.Role))
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

    private static TelemetryRecord Read(DbDataReader row) =>
        new(row.GetString(0), row.GetTimestamp(1), ModelAggregate.Parser.ParseFrom(Convert.FromBase64String(row.GetString(2))));
}
