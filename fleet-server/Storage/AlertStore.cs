using System.Data.Common;

namespace EdgeMl.Fleet.Storage;

/// <summary>Alerts, at most one open per condition (its key); raising an open condition again changes nothing unless the severity rises.</summary>
internal sealed class AlertStore(FleetDatabase db)
{
    private const string Columns = "id, kind, device_id, model_name, model_version, severity, message, raised_at, cleared_at";

    private const string Insert =
        "INSERT INTO alerts (id, open_key, kind, device_id, model_name, model_version, severity, message, raised_at) " +
        "VALUES (@id, @open_key, @kind, @device_id, @model_name, @model_version, @severity, @message, @raised_at) ON CONFLICT (open_key) DO NOTHING";

    private const string SelectOpen = $"SELECT {Columns} FROM alerts WHERE open_key = @open_key";

    private const string Escalate = "UPDATE alerts SET severity = @severity, message = @message WHERE id = @id AND open_key IS NOT NULL";

    private const string Clear = "UPDATE alerts SET open_key = NULL, cleared_at = @cleared_at WHERE id = @id AND open_key IS NOT NULL";

    /// <summary>
    /// Opens <paramref name="alert"/> under <paramref name="openKey"/> and returns it; returns the open alert with the new
    /// severity and message when one is open with a lower <paramref name="severityRank"/>; null when nothing changed.
    /// </summary>
    public Task<AlertRecord?> RaiseAsync(string openKey, AlertRecord alert, Func<string, int> severityRank, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(severityRank);
        return db.InTransactionAsync(
            async (connection, transaction) =>
            {
                var open = await connection.CreateCommand(SelectOpen, transaction).Bind("@open_key", openKey).QuerySingleAsync(Read, cancellationToken);
                if (open is not null)
                {
                    if (severityRank(alert.Severity) <= severityRank(open.Severity))
                    {
                        return null;
                    }

                    await connection.CreateCommand(Escalate, transaction)
                        .Bind("@severity", alert.Severity).Bind("@message", alert.Message).Bind("@id", open.Id).ExecuteAsync(cancellationToken);
                    return open with { Severity = alert.Severity, Message = alert.Message };
                }

                // Zero rows: another replica opened the same condition since the read.
                var inserted = await connection.CreateCommand(Insert, transaction)
                    .Bind("@id", alert.Id)
                    .Bind("@open_key", openKey)
                    .Bind("@kind", alert.Kind)
                    .Bind("@device_id", alert.DeviceId)
                    .Bind("@model_name", alert.ModelName)
                    .Bind("@model_version", alert.ModelVersion)
                    .Bind("@severity", alert.Severity)
                    .Bind("@message", alert.Message)
                    .Bind("@raised_at", alert.RaisedAt)
                    .ExecuteAsync(cancellationToken);
                return inserted == 1 ? alert with { ClearedAt = null } : null;
            },
            cancellationToken);
    }

    /// <summary>Clears the open alert of <paramref name="openKey"/> and returns it; null when none is open.</summary>
    public Task<AlertRecord?> ClearAsync(string openKey, DateTimeOffset at, CancellationToken cancellationToken) =>
        db.InTransactionAsync(
            async (connection, transaction) =>
            {
                var open = await connection.CreateCommand(SelectOpen, transaction).Bind("@open_key", openKey).QuerySingleAsync(Read, cancellationToken);
                if (open is null)
                {
                    return null;
                }

                var cleared = await connection.CreateCommand(Clear, transaction).Bind("@cleared_at", at).Bind("@id", open.Id).ExecuteAsync(cancellationToken);
                return cleared == 1 ? open with { ClearedAt = at.ToStoredPrecision() } : null;
            },
            cancellationToken);

    /// <summary>Alerts oldest first; only the open ones when <paramref name="openOnly"/>.</summary>
    public async Task<IReadOnlyList<AlertRecord>> ListAsync(bool openOnly, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(
                $"SELECT {Columns} FROM alerts {(openOnly ? "WHERE open_key IS NOT NULL " : "")}ORDER BY raised_at, id")
            .QueryAsync(Read, cancellationToken);
    }

    private static AlertRecord Read(DbDataReader row) => new(
        row.GetString(0),
        row.GetString(1),
        row.GetStringOrNull(2),
        row.GetStringOrNull(3),
        row.GetStringOrNull(4),
        row.GetString(5),
        row.GetString(6),
        row.GetTimestamp(7),
        row.GetTimestampOrNull(8));
}
