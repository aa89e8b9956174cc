using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EdgeMl.Fleet.Storage;

internal sealed class DesiredStateStore(FleetDatabase db)
{
    private const string Columns = "device_id, revision, active_model, shadow_model, rollout_id, is_rollback, hold_switch, updated_at";

    // The database, not the caller, counts revisions: a new row starts at 1, every change adds one.
    private const string UpsertHead = $"INSERT INTO desired_states ({Columns}) ";

    private const string UpsertTail =
        " ON CONFLICT (device_id) DO UPDATE SET revision = desired_states.revision + 1, active_model = excluded.active_model, " +
        "shadow_model = excluded.shadow_model, rollout_id = excluded.rollout_id, is_rollback = excluded.is_rollback, " +
        "hold_switch = excluded.hold_switch, updated_at = excluded.updated_at ";

    private const string Upsert =
        UpsertHead + "VALUES (@device_id, 1, @active_model, @shadow_model, @rollout_id, @is_rollback, @hold_switch, @updated_at)" + UpsertTail + "RETURNING revision";

    // SQLite only: the rows of one statement as a JSON array of [device, active, shadow, rollout, rollback, hold] arrays.
    // ("WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join.)
    private const string UpsertJson =
        UpsertHead + "SELECT json_extract(value, '$[0]'), 1, json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), " +
        "json_extract(value, '$[4]'), json_extract(value, '$[5]'), @updated_at FROM json_each(@rows) WHERE true" + UpsertTail + "RETURNING device_id, revision";

    private const int RowsPerStatement = 5000;

    private const int BatchSize = 500;

    private const string SelectOne = $"SELECT {Columns} FROM desired_states WHERE device_id = @device_id";
    private const string SelectAll = $"SELECT {Columns} FROM desired_states ORDER BY device_id";
    private const string SelectChanged = $"SELECT {Columns} FROM desired_states WHERE updated_at > @since ORDER BY updated_at, device_id";

    public async Task<DesiredStateRecord?> GetAsync(string deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectOne).Bind("@device_id", deviceId).QuerySingleAsync(Read, cancellationToken);
    }

    public async Task<IReadOnlyList<DesiredStateRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectAll).QueryAsync(Read, cancellationToken);
    }

    /// <summary>The desired states of <paramref name="deviceIds"/> (those that have one), a few hundred devices per query.</summary>
    public async Task<IReadOnlyList<DesiredStateRecord>> ListOfAsync(IReadOnlyCollection<string> deviceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        var states = new List<DesiredStateRecord>(deviceIds.Count);
        await using var connection = await db.OpenAsync(cancellationToken);
        foreach (var chunk in deviceIds.Chunk(BatchSize))
        {
            var names = chunk.Select((_, i) => "@d" + i.ToString(CultureInfo.InvariantCulture)).ToList();
            await using var select = connection.CreateCommand($"SELECT {Columns} FROM desired_states WHERE device_id IN ({string.Join(", ", names)})");
            for (var i = 0; i < chunk.Length; i++)
            {
                select.Bind(names[i], chunk[i]);
            }

            states.AddRange(await select.ReadAllAsync(Read, cancellationToken));
        }

        return states;
    }

    /// <summary>
    /// The model that most of <paramref name="deviceIds"/>' desired states name (null when that is none, or none of
    /// them has a desired state); of models named equally often, the one of the lowest device id.
    /// </summary>
    public async Task<string?> MostCommonModelAsync(IReadOnlyList<string> deviceIds, CancellationToken cancellationToken)
    {
        // Counted by the database: the server reads one row, not the fleet's desired states. (CROSS JOIN: see SetForMembersAsync.)
        var sql =
            $"SELECT d.active_model FROM {DbCommandExtensions.JsonValues("@ids", "m", db.IsPostgres)} CROSS JOIN desired_states d WHERE d.device_id = m.value " +
            "GROUP BY d.active_model ORDER BY COUNT(*) DESC, MIN(d.device_id) LIMIT 1";
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.CreateCommand(sql).BindJsonArray("@ids", deviceIds).QueryAsync(row => row.GetStringOrNull(0), cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Desired states updated after <paramref name="since"/>, for replicas that poll (timestamps have millisecond precision).</summary>
    public async Task<IReadOnlyList<DesiredStateRecord>> ListChangedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectChanged).Bind("@since", since).QueryAsync(Read, cancellationToken);
    }

    /// <summary>Applies all changes in one transaction and returns the new states in input order.</summary>
    public Task<IReadOnlyList<DesiredStateRecord>> SetManyAsync(IReadOnlyList<DesiredStateChange> changes, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.InTransactionAsync((_, transaction) => SetManyAsync(transaction, changes, now, cancellationToken), cancellationToken);

    /// <summary>Applies all changes inside <paramref name="transaction"/> and returns the new states in input order.</summary>
    public static async Task<IReadOnlyList<DesiredStateRecord>> SetManyAsync(
        DbTransaction transaction, IReadOnlyList<DesiredStateChange> changes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(changes);
        var updatedAt = now.ToStoredPrecision();
        var connection = transaction.Connection ?? throw new InvalidOperationException("The transaction has already been committed or rolled back.");
        List<long> revisions;
        if (connection.CanCreateBatch)
        {
            await using var upsert = transaction.CreateCommand(Upsert);
            revisions = await UpsertInBatchesAsync(connection, transaction, upsert, changes, updatedAt, cancellationToken);
        }
        else
        {
            revisions = await UpsertAsJsonAsync(transaction, changes, updatedAt, cancellationToken);
        }
        return [.. changes.Select((change, i) => new DesiredStateRecord(
            change.DeviceId, revisions[i], change.ActiveModel, change.ShadowModel, change.RolloutId, change.Rollback, change.HoldSwitch, updatedAt))];
    }

    /// <summary>
    /// Gives members of a rollout (<paramref name="deviceIds"/>, already in rollout_devices) the rollout's desired state
    /// in one statement, inside <paramref name="transaction"/>: <paramref name="model"/> active, or in
    /// <paramref name="shadow"/> mode the shadow beside the model each member ran before. Returns the new states in
    /// the order of <paramref name="deviceIds"/>.
    /// </summary>
    public async Task<IReadOnlyList<DesiredStateRecord>> SetForMembersAsync(
        DbTransaction transaction, string rolloutId, string model, bool shadow, bool holdSwitch, IReadOnlyList<string> deviceIds, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        if (deviceIds.Count == 0)
        {
            return [];
        }

        // The database takes each member's previous model from its rollout row: no row crosses to the server and back.
        // CROSS JOIN keeps SQLite's planner from looping over the rollout's rows outside and the unindexed ids inside
        // (a scan of every id per member); PostgreSQL plans it as any join.
        var sql =
            UpsertHead + "SELECT r.device_id, 1, CASE WHEN @shadow = 1 THEN r.previous_model ELSE @model END, CASE WHEN @shadow = 1 THEN @model END, " +
            $"r.rollout_id, 0, @hold_switch, @updated_at FROM {DbCommandExtensions.JsonValues("@ids", "m", db.IsPostgres)} " +
            "CROSS JOIN rollout_devices r WHERE r.rollout_id = @rollout_id AND r.device_id = m.value" + UpsertTail +
            "RETURNING device_id, revision, active_model, shadow_model";
        var updatedAt = now.ToStoredPrecision();
        await using var upsert = transaction.CreateCommand(sql)
            .Bind("@shadow", shadow)
            .Bind("@model", model)
            .Bind("@rollout_id", rolloutId)
            .Bind("@hold_switch", holdSwitch)
            .Bind("@updated_at", updatedAt)
            .BindJsonArray("@ids", deviceIds);
        var returned = (await upsert.ReadAllAsync(
                row => new DesiredStateRecord(row.GetString(0), row.GetLong(1), row.GetStringOrNull(2), row.GetStringOrNull(3), rolloutId, false, holdSwitch, updatedAt),
                cancellationToken))
            .ToDictionary(r => r.DeviceId, StringComparer.Ordinal);
        // RETURNING rows come in no promised order.
        return [.. deviceIds.Where(returned.ContainsKey).Select(id => returned[id])];
    }

    // SQLite runs in-process, but a statement per row still costs a command's overhead (binding, a reader, an await)
    // tens of thousands of times for a large wave. So the rows go in as one JSON parameter that SQLite unpacks
    // (json_each), a few thousand per statement; a statement with thousands of named parameters would not do, as each
    // is looked up by name among all the others. RETURNING rows come back in no promised order, so each names its
    // device; a device twice in one statement would be told one revision for two changes, so a repeat starts the next.
    private static async Task<List<long>> UpsertAsJsonAsync(
        DbTransaction transaction, IReadOnlyList<DesiredStateChange> changes, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        var revisions = new List<long>(changes.Count);
        var chunk = new List<DesiredStateChange>(RowsPerStatement);
        var inChunk = new HashSet<string>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            if (chunk.Count == RowsPerStatement || !inChunk.Add(change.DeviceId))
            {
                await UpsertRowsAsync(transaction, chunk, updatedAt, revisions, cancellationToken);
                chunk.Clear();
                inChunk.Clear();
                inChunk.Add(change.DeviceId);
            }

            chunk.Add(change);
        }

        await UpsertRowsAsync(transaction, chunk, updatedAt, revisions, cancellationToken);
        return revisions;
    }

    private static async Task UpsertRowsAsync(
        DbTransaction transaction, List<DesiredStateChange> chunk, DateTimeOffset updatedAt, List<long> revisions, CancellationToken cancellationToken)
    {
        if (chunk.Count == 0)
        {
            return;
        }

        var rows = new ArrayBufferWriter<byte>();
        await using (var json = new Utf8JsonWriter(rows))
        {
            json.WriteStartArray();
            foreach (var change in chunk)
            {
                json.WriteStartArray();
                json.WriteStringValue(change.DeviceId);
                WriteNullable(json, change.ActiveModel);
                WriteNullable(json, change.ShadowModel);
                WriteNullable(json, change.RolloutId);
                json.WriteNumberValue(change.Rollback ? 1 : 0);
                json.WriteNumberValue(change.HoldSwitch ? 1 : 0);
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        await using var upsert = transaction.CreateCommand(UpsertJson)
            .Bind("@rows", Encoding.UTF8.GetString(rows.WrittenSpan))
            .Bind("@updated_at", updatedAt);
        var returned = (await upsert.ReadAllAsync(row => (Device: row.GetString(0), Revision: row.GetLong(1)), cancellationToken))
            .ToDictionary(r => r.Device, r => r.Revision, StringComparer.Ordinal);
        revisions.AddRange(chunk.Select(change => returned[change.DeviceId]));
    }

    private static void WriteNullable(Utf8JsonWriter json, string? value)
    {
        if (value is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteStringValue(value);
        }
    }

    // A server (PostgreSQL) costs a network round trip per command: send a few hundred per batch.
    private static async Task<List<long>> UpsertInBatchesAsync(
        DbConnection connection, DbTransaction transaction, DbCommand upsert, IReadOnlyList<DesiredStateChange> changes, DateTimeOffset updatedAt,
        CancellationToken cancellationToken)
    {
        var revisions = new List<long>(changes.Count);
        foreach (var chunk in changes.Chunk(BatchSize))
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            foreach (var change in chunk)
            {
                BindChange(upsert, change, updatedAt).AppendTo(batch);
            }

            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            do
            {
                await reader.ReadAsync(cancellationToken);
                revisions.Add(reader.GetLong(0));
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        return revisions;
    }

    private static DbCommand BindChange(DbCommand upsert, DesiredStateChange change, DateTimeOffset updatedAt) => upsert
        .Bind("@device_id", change.DeviceId)
        .Bind("@active_model", change.ActiveModel)
        .Bind("@shadow_model", change.ShadowModel)
        .Bind("@rollout_id", change.RolloutId)
        .Bind("@is_rollback", change.Rollback)
        .Bind("@hold_switch", change.HoldSwitch)
        .Bind("@updated_at", updatedAt);

    private static DesiredStateRecord Read(DbDataReader row) => new(
        row.GetString(0),
        row.GetLong(1),
        row.GetStringOrNull(2),
        row.GetStringOrNull(3),
        row.GetStringOrNull(4),
        row.GetFlag(5),
        row.GetFlag(6),
        row.GetTimestamp(7));
}
