using System.Data.Common;
using System.Text.Json;

namespace EdgeMl.Fleet.Storage;

internal sealed class DeviceStore(FleetDatabase db)
{
    private const string Columns =
        "id, secret_hash, tags, enrolled_at, hostname, agent_version, last_seen_at, active_model, reported_model, " +
        "reported_state, reported_reason, reported_revision, execution_provider, last_report_at, manifest_fields";

    private const string Insert =
        $"INSERT INTO devices ({Columns}) VALUES (@id, @secret_hash, @tags, @enrolled_at, @hostname, @agent_version, @last_seen_at, " +
        "@active_model, @reported_model, @reported_state, @reported_reason, @reported_revision, @execution_provider, @last_report_at, @manifest_fields)";

    private const string SelectOne = $"SELECT {Columns} FROM devices WHERE id = @id";
    private const string SelectAll = $"SELECT {Columns} FROM devices ORDER BY id";
    private const string SelectCount = "SELECT COUNT(*) FROM devices";

    // The model a device runs changes only when it says "active" (or "nomodel": it unloaded it); other states describe a candidate.
    private const string Report =
        "UPDATE devices SET reported_model = @model, reported_state = @state, reported_reason = @reason, reported_revision = @revision, " +
        "execution_provider = COALESCE(@execution_provider, execution_provider), agent_version = COALESCE(@agent_version, agent_version), " +
        "last_report_at = @at, last_seen_at = @at, " +
        "active_model = CASE WHEN @state = 'active' THEN @model WHEN @state = 'nomodel' THEN NULL ELSE active_model END " +
        "WHERE id = @id";

    private const string Touch = "UPDATE devices SET last_seen_at = @at, manifest_fields = COALESCE(@manifest_fields, manifest_fields) WHERE id = @id";

    private const string Delete = "DELETE FROM devices WHERE id = @id";
    private const string DeleteDesiredState = "DELETE FROM desired_states WHERE device_id = @id";

    public Task AddAsync(DeviceRecord device, CancellationToken cancellationToken) =>
        db.InTransactionAsync(transaction => AddAsync(transaction, device, cancellationToken), cancellationToken);

    /// <summary>Adds the device inside <paramref name="transaction"/> (many devices in one commit: seeding a benchmark fleet).</summary>
    public static async Task AddAsync(DbTransaction transaction, DeviceRecord device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        await transaction.CreateCommand(Insert)
            .Bind("@id", device.Id)
            .Bind("@secret_hash", device.SecretHash)
            .Bind("@tags", JsonSerializer.Serialize(device.Tags))
            .Bind("@enrolled_at", device.EnrolledAt)
            .Bind("@hostname", device.Hostname)
            .Bind("@agent_version", device.AgentVersion)
            .Bind("@last_seen_at", device.LastSeenAt)
            .Bind("@active_model", device.ActiveModel)
            .Bind("@reported_model", device.ReportedModel)
            .Bind("@reported_state", device.ReportedState)
            .Bind("@reported_reason", device.ReportedReason)
            .Bind("@reported_revision", device.ReportedRevision)
            .Bind("@execution_provider", device.ExecutionProvider)
            .Bind("@last_report_at", device.LastReportAt)
            .Bind("@manifest_fields", FieldsJson(device.ManifestFields))
            .ExecuteAsync(cancellationToken);
    }

    public async Task<DeviceRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectOne).Bind("@id", id).QuerySingleAsync(Read, cancellationToken);
    }

    public async Task<IReadOnlyList<DeviceRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectAll).QueryAsync(Read, cancellationToken);
    }

    /// <summary>How many devices are enrolled, without reading them (scraped often, on fleets of tens of thousands).</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var count = connection.CreateCommand(SelectCount);
        return Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Records a status report; a report for an unknown device changes nothing.</summary>
    public async Task RecordReportAsync(DeviceReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        await using var connection = await db.OpenAsync(cancellationToken);
        await connection.CreateCommand(Report)
            .Bind("@id", report.DeviceId)
            .Bind("@model", report.Model)
            .Bind("@state", report.State)
            .Bind("@reason", report.Reason)
            .Bind("@revision", report.Revision)
            .Bind("@execution_provider", report.ExecutionProvider)
            .Bind("@agent_version", report.AgentVersion)
            .Bind("@at", report.At)
            .ExecuteAsync(cancellationToken);
    }

    /// <summary>The device connected: it is seen now, and its agent reads <paramref name="manifestFields"/> (empty: it did not say, what it said before stands).</summary>
    public async Task TouchAsync(string id, DateTimeOffset at, IReadOnlyList<string> manifestFields, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await connection.CreateCommand(Touch).Bind("@id", id).Bind("@at", at).Bind("@manifest_fields", FieldsJson(manifestFields)).ExecuteAsync(cancellationToken);
    }

    /// <summary>Deletes a revoked device and its desired state; false when there was no such device.</summary>
    public async Task<bool> RemoveAsync(string id, CancellationToken cancellationToken) =>
        await db.InTransactionAsync(
            async (connection, transaction) =>
            {
                await connection.CreateCommand(DeleteDesiredState, transaction).Bind("@id", id).ExecuteAsync(cancellationToken);
                return await connection.CreateCommand(Delete, transaction).Bind("@id", id).ExecuteAsync(cancellationToken) > 0;
            },
            cancellationToken);

    private static DeviceRecord Read(DbDataReader row) => new(
        row.GetString(0),
        row.GetString(1),
        JsonSerializer.Deserialize<Dictionary<string, string>>(row.GetString(2)) ?? [],
        row.GetTimestamp(3),
        row.GetString(4),
        row.GetString(5),
        row.GetTimestampOrNull(6),
        row.GetStringOrNull(7),
        row.GetStringOrNull(8),
        row.GetStringOrNull(9),
        row.GetStringOrNull(10),
        row.GetLong(11),
        row.GetStringOrNull(12),
        row.GetTimestampOrNull(13),
        row.GetStringOrNull(14) is { } fields ? JsonSerializer.Deserialize<string[]>(fields) : null);

    // An agent older than the list sends none: null keeps what the device said before, or nothing.
    private static string? FieldsJson(IReadOnlyList<string>? fields) => fields is { Count: > 0 } ? JsonSerializer.Serialize(fields) : null;
}
