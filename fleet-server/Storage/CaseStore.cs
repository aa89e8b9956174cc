using System.Data.Common;
using System.Text.Json;

namespace EdgeMl.Fleet.Storage;

/// <summary>Cases, the verdicts on them and the review queue.</summary>
internal sealed class CaseStore(FleetDatabase db)
{
    public const string Ok = "ok";
    public const string Defect = "defect";
    public const string Unsure = "unsure";

    private const string Columns =
        "id, device_id, site, line, captured_at, received_at, model_name, model_version, automation_level, decision, model_call, " +
        "probabilities, has_heatmap, status, verdict, reviewed_by, reviewed_at";

    // A re-upload of a case id inserts nothing: the device retries until it holds an acknowledgement.
    private const string Insert =
        $"INSERT INTO cases ({Columns}) VALUES (@id, @device_id, @site, @line, @captured_at, @received_at, @model_name, @model_version, " +
        "@automation_level, @decision, @model_call, @probabilities, @has_heatmap, 'open', NULL, NULL, NULL) ON CONFLICT (id) DO NOTHING";

    private const string SelectOne = $"SELECT {Columns} FROM cases WHERE id = @id";

    private const string SelectByStatus =
        $"SELECT {Columns} FROM cases WHERE (@status IS NULL OR status = @status) ORDER BY captured_at, id";

    // Open cases this inspector has not yet answered (an "unsure" passes the case on to someone else), oldest first.
    private const string QueueWhere =
        "FROM cases c WHERE c.status = 'open' " +
        "AND NOT EXISTS (SELECT 1 FROM case_verdicts v WHERE v.case_id = c.id AND v.inspector = @inspector) " +
        "AND (@site IS NULL OR c.site = @site) AND (@line IS NULL OR c.line = @line) AND (@model_version IS NULL OR c.model_version = @model_version)";

    private const string SelectQueue = $"SELECT {Columns} {QueueWhere} ORDER BY c.captured_at, c.id LIMIT @limit";

    private const string CountQueue = $"SELECT COUNT(*) {QueueWhere}";

    private const string SelectStatus = "SELECT status FROM cases WHERE id = @id";

    private const string InsertVerdict =
        "INSERT INTO case_verdicts (case_id, inspector, verdict, decided_at) VALUES (@id, @inspector, @verdict, @at) ON CONFLICT (case_id, inspector) DO NOTHING";

    private const string Close =
        "UPDATE cases SET status = 'reviewed', verdict = @verdict, reviewed_by = @inspector, reviewed_at = @at WHERE id = @id AND status = 'open'";

    // Reviewed cases whose verdict the uploading device has not acknowledged yet, in the order they were decided.
    private const string SelectOwed =
        $"SELECT {Columns} FROM cases WHERE device_id = @device_id AND status = 'reviewed' AND verdict_acknowledged_at IS NULL " +
        "ORDER BY reviewed_at, id LIMIT @limit";

    private const string AcknowledgeVerdict =
        "UPDATE cases SET verdict_acknowledged_at = @at WHERE id = @id AND device_id = @device_id AND status = 'reviewed' AND verdict_acknowledged_at IS NULL";

    private const string SelectReviewedSince = $"SELECT {Columns} FROM cases WHERE status = 'reviewed' AND reviewed_at >= @since ORDER BY reviewed_at, id";

    private const string TallyHead = "SELECT model_name, model_version, decision, model_call, verdict, COUNT(*) FROM cases ";

    private const string TallyTail = " GROUP BY model_name, model_version, decision, model_call, verdict ORDER BY model_name, model_version";

    private const string Tally = TallyHead + TallyTail;

    private const string VersionTallyWhere = "WHERE model_name = @model_name AND model_version = @model_version AND captured_at >= @since ";

    /// <summary>Stores a new case; false when a case with this id is already stored (nothing changes then).</summary>
    public async Task<bool> AddAsync(CaseRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await using var connection = await db.OpenAsync(cancellationToken);
        var inserted = await connection.CreateCommand(Insert)
            .Bind("@id", record.Id)
            .Bind("@device_id", record.DeviceId)
            .Bind("@site", record.Site)
            .Bind("@line", record.Line)
            .Bind("@captured_at", record.CapturedAt)
            .Bind("@received_at", record.ReceivedAt)
            .Bind("@model_name", record.ModelName)
            .Bind("@model_version", record.ModelVersion)
            .Bind("@automation_level", record.AutomationLevel)
            .Bind("@decision", record.Decision)
            .Bind("@model_call", record.ModelCall)
            .Bind("@probabilities", JsonSerializer.Serialize(record.Probabilities))
            .Bind("@has_heatmap", record.HasHeatmap)
            .ExecuteAsync(cancellationToken);
        return inserted == 1;
    }

    public async Task<CaseRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectOne).Bind("@id", id).QuerySingleAsync(Read, cancellationToken);
    }

    /// <summary>Every case, or those in one status, oldest first.</summary>
    public async Task<IReadOnlyList<CaseRecord>> ListAsync(string? status, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectByStatus).Bind("@status", status).QueryAsync(Read, cancellationToken);
    }

    /// <summary>The oldest open cases waiting for <paramref name="inspector"/>, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<CaseRecord>> QueueAsync(string inspector, CaseFilter filter, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await BindQueue(connection.CreateCommand(SelectQueue), inspector, filter).Bind("@limit", (long)limit).QueryAsync(Read, cancellationToken);
    }

    public async Task<long> CountQueueAsync(string inspector, CaseFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = BindQueue(connection.CreateCommand(CountQueue), inspector, filter);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Records <paramref name="inspector"/>'s verdict. <c>ok</c> and <c>defect</c> close the case; <c>unsure</c> leaves it
    /// open for another inspector. Of two inspectors deciding at once, the first wins and the second is told so.
    /// </summary>
    public Task<VerdictOutcome> RecordVerdictAsync(string id, string inspector, string verdict, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (verdict is not (Ok or Defect or Unsure))
        {
            throw new ArgumentException($"verdict '{verdict}' is not one of ok, defect, unsure", nameof(verdict));
        }

        return db.InTransactionAsync(
            async (_, transaction) =>
            {
                var status = await transaction.CreateCommand(SelectStatus).Bind("@id", id).QuerySingleAsync(r => r.GetString(0), cancellationToken);
                if (status is null)
                {
                    return VerdictOutcome.UnknownCase;
                }

                if (status != CaseRecord.Open)
                {
                    return VerdictOutcome.AlreadyReviewed;
                }

                var given = await transaction.CreateCommand(InsertVerdict)
                    .Bind("@id", id).Bind("@inspector", inspector).Bind("@verdict", verdict).Bind("@at", at)
                    .ExecuteAsync(cancellationToken);
                if (given == 0)
                {
                    return VerdictOutcome.AlreadyGiven;
                }

                if (verdict == Unsure)
                {
                    return VerdictOutcome.Recorded;
                }

                // Re-checks the status under the row lock: on PostgreSQL another replica may have closed it since the read above.
                var closed = await transaction.CreateCommand(Close)
                    .Bind("@id", id).Bind("@inspector", inspector).Bind("@verdict", verdict).Bind("@at", at)
                    .ExecuteAsync(cancellationToken);
                if (closed == 0)
                {
                    throw new InvalidOperationException($"case {id} was reviewed by another inspector at the same time");
                }

                return VerdictOutcome.Recorded;
            },
            cancellationToken);
    }

    /// <summary>The verdicts owed to <paramref name="deviceId"/> (its reviewed cases it has not acknowledged), oldest decision first.</summary>
    public async Task<IReadOnlyList<CaseRecord>> OwedVerdictsAsync(string deviceId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectOwed).Bind("@device_id", deviceId).Bind("@limit", (long)limit).QueryAsync(Read, cancellationToken);
    }

    /// <summary>The device has applied these verdicts; ids of other devices' cases, or of open cases, change nothing. Returns how many were marked.</summary>
    public Task<int> AcknowledgeVerdictsAsync(string deviceId, IReadOnlyCollection<string> ids, DateTimeOffset at, CancellationToken cancellationToken) =>
        db.InTransactionAsync(
            async (_, transaction) =>
            {
                var marked = 0;
                foreach (var id in ids)
                {
                    marked += await transaction.CreateCommand(AcknowledgeVerdict)
                        .Bind("@id", id).Bind("@device_id", deviceId).Bind("@at", at)
                        .ExecuteAsync(cancellationToken);
                }

                return marked;
            },
            cancellationToken);

    /// <summary>Cases reviewed at or after <paramref name="since"/>, in the order they were decided.</summary>
    public async Task<IReadOnlyList<CaseRecord>> ReviewedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectReviewedSince).Bind("@since", since).QueryAsync(Read, cancellationToken);
    }

    /// <summary>Case counts per model version, decision, model call and verdict: what the accuracy figures are made of.</summary>
    public async Task<IReadOnlyList<CaseTally>> TallyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(Tally).QueryAsync(ReadTally, cancellationToken);
    }

    /// <summary>The same counts for one model version's cases on some devices, captured since a time (what a rollout's gate reads).</summary>
    public async Task<IReadOnlyList<CaseTally>> TallyAsync(CaseTallyQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var devices = query.DeviceIds.ToArray();
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(TallyHead + VersionTallyWhere + DbCommandExtensions.InFilter("device_id", "device", devices.Length) + TallyTail)
            .Bind("@model_name", query.ModelName)
            .Bind("@model_version", query.ModelVersion)
            .Bind("@since", query.Since)
            .BindEach("device", devices)
            .QueryAsync(ReadTally, cancellationToken);
    }

    private static DbCommand BindQueue(DbCommand command, string inspector, CaseFilter filter) =>
        command.Bind("@inspector", inspector).Bind("@site", filter.Site).Bind("@line", filter.Line).Bind("@model_version", filter.ModelVersion);

    private static CaseTally ReadTally(DbDataReader row) =>
        new(row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3), row.GetStringOrNull(4), row.GetLong(5));

    private static CaseRecord Read(DbDataReader row) => new(
        row.GetString(0),
        row.GetString(1),
        row.GetString(2),
        row.GetString(3),
        row.GetTimestamp(4),
        row.GetTimestamp(5),
        row.GetString(6),
        row.GetString(7),
        row.GetString(8),
        row.GetString(9),
        row.GetString(10),
        JsonSerializer.Deserialize<Dictionary<string, double>>(row.GetString(11)) ?? [],
        row.GetFlag(12),
        row.GetString(13),
        row.GetStringOrNull(14),
        row.GetStringOrNull(15),
        row.GetTimestampOrNull(16));
}
