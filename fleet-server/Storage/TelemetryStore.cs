using System.Data.Common;
using EdgeMl.Contracts.Telemetry;
using Google.Protobuf;

namespace EdgeMl.Fleet.Storage;

/// <summary>Telemetry aggregates per device and model version; ingestion is idempotent by message id.</summary>
internal sealed class TelemetryStore(FleetDatabase db)
{
    private const string Columns = "device_id, received_at, payload";

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
    public async Task<int> AddAsync(IReadOnlyList<TelemetryRecord> records, CancellationToken cancellationToken)
    {
        await using var writer = OpenWriter();
        return await writer.AddAsync(records, cancellationToken);
    }

    /// <summary>A writer that keeps its connection and prepared statement from one batch to the next, for ingestion.</summary>
    public TelemetryBatchWriter OpenWriter() => new(db, TelemetryBatchWriter.ListEvery);

    public async Task<IReadOnlyList<TelemetryRecord>> ListAsync(TelemetryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await db.OpenAsync(cancellationToken);
        var devices = query.DeviceIds?.ToArray();
        var command = connection.CreateCommand(SelectHead + DeviceFilter(devices?.Length) + SelectTail)
            .Bind("@model_name", query.ModelName)
            .Bind("@model_version", query.ModelVersion)
            .Bind("@role", query.Role is { } role ? RoleName(role) : null)
            .Bind("@since", query.Since)
            .Bind("@until", query.Until)
            .Bind("@limit", query.Limit)
            .BindEach("device", devices);
        return await command.QueryAsync(Read, cancellationToken);
    }

    // By device through the device windows' index (migration 011); on SQLite, what is not listed there yet among the newest.
    private string DeviceFilter(int? count)
    {
        var devices = DbCommandExtensions.InFilter("device_id", "device", count);
        if (count is null or 0)
        {
            return devices;
        }

        var listed = "message_id IN (SELECT message_id FROM telemetry_device_windows WHERE 1 = 1 " + devices +
            " AND (@since IS NULL OR window_end > @since) AND (@until IS NULL OR window_end <= @until))";
        return db.IsPostgres
            ? $"{devices} AND {listed} "
            : $"{devices} AND ({listed} OR received_at > (SELECT received_to FROM telemetry_indexed)) ";
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

    private static TelemetryRecord Read(DbDataReader row) =>
        new(row.GetString(0), row.GetTimestamp(1), ModelAggregate.Parser.ParseFrom(Convert.FromBase64String(row.GetString(2))));
}
