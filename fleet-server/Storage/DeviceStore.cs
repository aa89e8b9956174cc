using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace EdgeMl.Fleet.Storage;

internal sealed class DeviceStore(FleetDatabase db)
{
    private const string Columns =
        "id, secret_hash, tags, enrolled_at, hostname, agent_version, last_seen_at, active_model, reported_model, " +
        "reported_state, reported_reason, reported_revision, execution_provider, last_report_at";

    private const string Insert =
        $"INSERT INTO devices ({Columns}, manifest_fields_id) VALUES (@id, @secret_hash, @tags, @enrolled_at, @hostname, @agent_version, @last_seen_at, " +
        "@active_model, @reported_model, @reported_state, @reported_reason, @reported_revision, @execution_provider, @last_report_at, @fields_id)";

    private const string SelectOne = $"SELECT {Columns} FROM devices WHERE id = @id";
    private const string SelectAll = $"SELECT {Columns} FROM devices ORDER BY id";
    private const string SelectCount = "SELECT COUNT(*) FROM devices";
    private const string SelectFieldLists = "SELECT id, fields FROM agent_manifest_fields";
    private const string SelectDeviceFields = "SELECT id, manifest_fields_id FROM devices WHERE manifest_fields_id IS NOT NULL";
    private const string InsertFieldList = "INSERT INTO agent_manifest_fields (id, fields) VALUES (@fields_id, @fields) ON CONFLICT (id) DO NOTHING";

    // The model a device runs changes only when it says "active" (or "nomodel": it unloaded it); other states describe a candidate.
    private const string Report =
        "UPDATE devices SET reported_model = @model, reported_state = @state, reported_reason = @reason, reported_revision = @revision, " +
        "execution_provider = COALESCE(@execution_provider, execution_provider), agent_version = COALESCE(@agent_version, agent_version), " +
        "last_report_at = @at, last_seen_at = @at, " +
        "active_model = CASE WHEN @state = 'active' THEN @model WHEN @state = 'nomodel' THEN NULL ELSE active_model END " +
        "WHERE id = @id";

    private const string Touch = "UPDATE devices SET last_seen_at = @at, manifest_fields_id = COALESCE(@fields_id, manifest_fields_id) WHERE id = @id";

    private const string Delete = "DELETE FROM devices WHERE id = @id";
    private const string DeleteDesiredState = "DELETE FROM desired_states WHERE device_id = @id";

    public Task AddAsync(DeviceRecord device, CancellationToken cancellationToken) => AddAsync(device, [], cancellationToken);

    /// <summary>Adds the device and the manifest fields its agent reads (empty: it did not say).</summary>
    public Task AddAsync(DeviceRecord device, IReadOnlyList<string> manifestFields, CancellationToken cancellationToken) =>
        db.InTransactionAsync(transaction => AddAsync(transaction, device, manifestFields, cancellationToken), cancellationToken);

    /// <summary>Adds the device inside <paramref name="transaction"/> (many devices in one commit: seeding a benchmark fleet).</summary>
    public static async Task AddAsync(DbTransaction transaction, DeviceRecord device, IReadOnlyList<string> manifestFields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        await transaction.CreateCommand(Insert)
            .Bind("@fields_id", await AddFieldListAsync(transaction, manifestFields, cancellationToken))
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

    /// <summary>
    /// The manifest fields each device's agent said it reads, by device id; a device whose agent did not say is absent.
    /// Devices that sent the same list share one instance of it.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ManifestFieldsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var lists = (await connection.CreateCommand(SelectFieldLists).QueryAsync(row => (Id: row.GetString(0), Json: row.GetString(1)), cancellationToken))
            .ToDictionary(l => l.Id, l => (IReadOnlyList<string>)(JsonSerializer.Deserialize<string[]>(l.Json) ?? []), StringComparer.Ordinal);
        var devices = await connection.CreateCommand(SelectDeviceFields).QueryAsync(row => (Id: row.GetString(0), List: row.GetString(1)), cancellationToken);
        return devices.ToDictionary(d => d.Id, d => lists[d.List], StringComparer.Ordinal);
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
    public Task TouchAsync(string id, DateTimeOffset at, IReadOnlyList<string> manifestFields, CancellationToken cancellationToken) =>
        db.InTransactionAsync(
            async transaction =>
            {
                var fieldsId = await AddFieldListAsync(transaction, manifestFields, cancellationToken);
                await transaction.CreateCommand(Touch).Bind("@id", id).Bind("@at", at).Bind("@fields_id", fieldsId).ExecuteAsync(cancellationToken);
            },
            cancellationToken);

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
        row.GetTimestampOrNull(13));

    // Stores the list once under the hash of its JSON and returns that id. An agent older than the list sends none: null
    // keeps what the device said before, or nothing.
    private static async Task<string?> AddFieldListAsync(DbTransaction transaction, IReadOnlyList<string> fields, CancellationToken cancellationToken)
    {
        if (fields.Count == 0)
        {
            return null;
        }

        var json = JsonSerializer.Serialize(fields);
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        await transaction.CreateCommand(InsertFieldList).Bind("@fields_id", id).Bind("@fields", json).ExecuteAsync(cancellationToken);
        return id;
    }
}
