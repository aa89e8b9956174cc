using System.Data.Common;

namespace EdgeMl.Fleet.Storage;

/// <summary>Rollouts with the devices each wave took and what each wave's gates decided.</summary>
internal sealed class RolloutStore(FleetDatabase db)
{
    private const string Columns =
        "id, model, previous_model, selector, mode, waves, bake_seconds, gates_json, state, current_wave, wave_started_at, reason, " +
        "created_at, created_by, updated_at";

    private const string Insert =
        $"INSERT INTO rollouts ({Columns}) VALUES (@id, @model, @previous_model, @selector, @mode, @waves, @bake_seconds, @gates_json, " +
        "@state, @current_wave, @wave_started_at, @reason, @created_at, @created_by, @updated_at)";

    private const string Update =
        "UPDATE rollouts SET model = @model, previous_model = @previous_model, selector = @selector, mode = @mode, waves = @waves, " +
        "bake_seconds = @bake_seconds, gates_json = @gates_json, state = @state, current_wave = @current_wave, " +
        "wave_started_at = @wave_started_at, reason = @reason, updated_at = @updated_at WHERE id = @id";

    private const string SelectOne = $"SELECT {Columns} FROM rollouts WHERE id = @id";
    private const string SelectAll = $"SELECT {Columns} FROM rollouts ORDER BY created_at DESC, id DESC";

    private const string SelectActive =
        $"SELECT {Columns} FROM rollouts WHERE state IN ('running', 'paused', 'waiting-switch') ORDER BY created_at DESC, id DESC";

    private const string UpdateDecisions = "UPDATE rollouts SET decisions_json = @decisions_json WHERE id = @id";

    private const string SelectDecisions = "SELECT model, decisions_json FROM rollouts WHERE id = @id";

    private const string DeviceColumns = "rollout_id, device_id, wave, previous_model, added_at";

    private const string SelectDevices =
        $"SELECT {DeviceColumns}, switched_at FROM rollout_devices WHERE rollout_id = @rollout_id ORDER BY wave, device_id";

    private const string MarkSwitched =
        "UPDATE rollout_devices SET switched_at = @at WHERE rollout_id = @rollout_id AND device_id = @device_id AND switched_at IS NULL";

    private const string WaveColumns = "rollout_id, wave_index, size, started_at, completed_at, decision, gate_values_json";

    private const string UpsertWave =
        $"INSERT INTO rollout_waves ({WaveColumns}) VALUES (@rollout_id, @wave_index, @size, @started_at, @completed_at, @decision, @gate_values_json) " +
        "ON CONFLICT (rollout_id, wave_index) DO UPDATE SET size = excluded.size, started_at = excluded.started_at, " +
        "completed_at = excluded.completed_at, decision = excluded.decision, gate_values_json = excluded.gate_values_json";

    private const string SelectWaves = $"SELECT {WaveColumns} FROM rollout_waves WHERE rollout_id = @rollout_id ORDER BY wave_index";

    public Task AddAsync(RolloutRecord rollout, CancellationToken cancellationToken) =>
        db.InTransactionAsync(transaction => AddAsync(transaction, rollout, cancellationToken), cancellationToken);

    /// <summary>Adds the rollout inside <paramref name="transaction"/>, so that its waves and desired states are stored with it or not at all.</summary>
    public static async Task AddAsync(DbTransaction transaction, RolloutRecord rollout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        await BindRollout(transaction.CreateCommand(Insert), rollout)
            .Bind("@created_at", rollout.CreatedAt)
            .Bind("@created_by", rollout.CreatedBy)
            .ExecuteAsync(cancellationToken);
    }

    /// <summary>Stores a new rollout's decision settings (JSON) for its devices.</summary>
    public static async Task SetDecisionsAsync(DbTransaction transaction, string id, string json, CancellationToken cancellationToken) =>
        await transaction.CreateCommand(UpdateDecisions).Bind("@id", id).Bind("@decisions_json", json).ExecuteAsync(cancellationToken);

    /// <summary>A rollout's model and its decision settings (JSON, null when it has none); null when there is no such rollout.</summary>
    public async Task<(string Model, string? DecisionsJson)?> GetDecisionsAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.CreateCommand(SelectDecisions).Bind("@id", id).QueryAsync(r => (r.GetString(0), r.GetStringOrNull(1)), cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<RolloutRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectOne).Bind("@id", id).QuerySingleAsync(Read, cancellationToken);
    }

    /// <summary>All rollouts, newest first.</summary>
    public async Task<IReadOnlyList<RolloutRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectAll).QueryAsync(Read, cancellationToken);
    }

    /// <summary>Rollouts still in progress (running, paused or waiting for the switch), newest first.</summary>
    public async Task<IReadOnlyList<RolloutRecord>> ListActiveAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectActive).QueryAsync(Read, cancellationToken);
    }

    /// <summary>Writes every column but the id and creation fields.</summary>
    /// <exception cref="InvalidOperationException">No rollout has this id.</exception>
    public Task UpdateAsync(RolloutRecord rollout, CancellationToken cancellationToken) =>
        db.InTransactionAsync(transaction => UpdateAsync(transaction, rollout, cancellationToken), cancellationToken);

    /// <inheritdoc cref="UpdateAsync(RolloutRecord, CancellationToken)"/>
    public static async Task UpdateAsync(DbTransaction transaction, RolloutRecord rollout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var updated = await BindRollout(transaction.CreateCommand(Update), rollout).ExecuteAsync(cancellationToken);
        if (updated == 0)
        {
            throw new InvalidOperationException($"Rollout {rollout.Id} is not stored, so it cannot be updated; add it first.");
        }
    }

    /// <summary>
    /// Takes devices into a rollout's wave, in one transaction, each with the model its desired state names now (its
    /// model to return to); a device already in the rollout keeps its first entry. Returns the devices that joined, in
    /// the order of <paramref name="deviceIds"/>.
    /// </summary>
    public Task<IReadOnlyList<RolloutDeviceRecord>> JoinAsync(
        string rolloutId, int wave, IReadOnlyList<string> deviceIds, DateTimeOffset at, CancellationToken cancellationToken) =>
        db.InTransactionAsync((_, transaction) => JoinAsync(transaction, rolloutId, wave, deviceIds, at, cancellationToken), cancellationToken);

    /// <inheritdoc cref="JoinAsync(string, int, IReadOnlyList{string}, DateTimeOffset, CancellationToken)"/>
    public async Task<IReadOnlyList<RolloutDeviceRecord>> JoinAsync(
        DbTransaction transaction, string rolloutId, int wave, IReadOnlyList<string> deviceIds, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        if (deviceIds.Count == 0)
        {
            return [];
        }

        // One statement, whatever the wave's size: the database reads each device's model itself and skips those
        // already in, rather than the server reading every desired state and inserting row by row.
        // ("WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to the join.)
        var join =
            $"INSERT INTO rollout_devices ({DeviceColumns}) SELECT @rollout_id, m.value, @wave, d.active_model, @added_at " +
            $"FROM {DbCommandExtensions.JsonValues("@ids", "m", db.IsPostgres)} LEFT JOIN desired_states d ON d.device_id = m.value WHERE true " +
            "ON CONFLICT (rollout_id, device_id) DO NOTHING RETURNING device_id, previous_model";
        await using var insert = transaction.CreateCommand(join)
            .Bind("@rollout_id", rolloutId)
            .Bind("@wave", wave)
            .Bind("@added_at", at)
            .BindJsonArray("@ids", deviceIds);
        // RETURNING rows come in no promised order.
        var joined = (await insert.ReadAllAsync(row => (Device: row.GetString(0), Previous: row.GetStringOrNull(1)), cancellationToken))
            .ToDictionary(r => r.Device, r => r.Previous, StringComparer.Ordinal);
        var addedAt = at.ToStoredPrecision();
        return [.. deviceIds.Where(joined.ContainsKey).Select(id => new RolloutDeviceRecord(rolloutId, id, wave, joined[id], addedAt))];
    }

    public async Task<IReadOnlyList<RolloutDeviceRecord>> ListDevicesAsync(string rolloutId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectDevices).Bind("@rollout_id", rolloutId).QueryAsync(ReadDevice, cancellationToken);
    }

    /// <summary>Records when devices were first seen on the rollout's model; a device already marked keeps its first time.</summary>
    public Task MarkSwitchedAsync(string rolloutId, IReadOnlyCollection<string> deviceIds, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        return db.InTransactionAsync(
            async transaction =>
            {
                await using var update = transaction.CreateCommand(MarkSwitched);
                foreach (var deviceId in deviceIds)
                {
                    await update.Bind("@rollout_id", rolloutId).Bind("@device_id", deviceId).Bind("@at", at).ExecuteNonQueryAsync(cancellationToken);
                }
            },
            cancellationToken);
    }

    public Task UpsertWaveAsync(RolloutWaveRecord wave, CancellationToken cancellationToken) =>
        db.InTransactionAsync(transaction => UpsertWaveAsync(transaction, wave, cancellationToken), cancellationToken);

    public static async Task UpsertWaveAsync(DbTransaction transaction, RolloutWaveRecord wave, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wave);
        await transaction.CreateCommand(UpsertWave)
            .Bind("@rollout_id", wave.RolloutId)
            .Bind("@wave_index", wave.Index)
            .Bind("@size", wave.Size)
            .Bind("@started_at", wave.StartedAt)
            .Bind("@completed_at", wave.CompletedAt)
            .Bind("@decision", wave.Decision)
            .Bind("@gate_values_json", wave.GateValuesJson)
            .ExecuteAsync(cancellationToken);
    }

    /// <summary>The waves of a rollout by index.</summary>
    public async Task<IReadOnlyList<RolloutWaveRecord>> ListWavesAsync(string rolloutId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectWaves).Bind("@rollout_id", rolloutId).QueryAsync(ReadWave, cancellationToken);
    }

    private static DbCommand BindRollout(DbCommand command, RolloutRecord rollout) => command
        .Bind("@id", rollout.Id)
        .Bind("@model", rollout.Model)
        .Bind("@previous_model", rollout.PreviousModel)
        .Bind("@selector", rollout.Selector)
        .Bind("@mode", rollout.Mode)
        .Bind("@waves", rollout.Waves)
        .Bind("@bake_seconds", rollout.BakeSeconds)
        .Bind("@gates_json", rollout.GatesJson)
        .Bind("@state", rollout.State)
        .Bind("@current_wave", rollout.CurrentWave)
        .Bind("@wave_started_at", rollout.WaveStartedAt)
        .Bind("@reason", rollout.Reason)
        .Bind("@updated_at", rollout.UpdatedAt);

    private static RolloutRecord Read(DbDataReader row) => new(
        row.GetString(0),
        row.GetString(1),
        row.GetStringOrNull(2),
        row.GetString(3),
        row.GetString(4),
        row.GetString(5),
        row.GetLong(6),
        row.GetString(7),
        row.GetString(8),
        row.GetInt(9),
        row.GetTimestampOrNull(10),
        row.GetStringOrNull(11),
        row.GetTimestamp(12),
        row.GetString(13),
        row.GetTimestamp(14));

    private static RolloutDeviceRecord ReadDevice(DbDataReader row) => new(
        row.GetString(0), row.GetString(1), row.GetInt(2), row.GetStringOrNull(3), row.GetTimestamp(4), row.GetTimestampOrNull(5));

    private static RolloutWaveRecord ReadWave(DbDataReader row) => new(
        row.GetString(0), row.GetInt(1), row.GetString(2), row.GetTimestampOrNull(3), row.GetTimestampOrNull(4), row.GetStringOrNull(5), row.GetStringOrNull(6));
}
