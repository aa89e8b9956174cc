using System.Data.Common;

namespace EdgeMl.Fleet.Storage;

/// <summary>
/// The reads that let the rollout engine follow reports without reading the whole fleet at every step: all members
/// of a rollout once, then only the devices that reported since a moment.
/// </summary>
internal sealed class MemberReportStore(FleetDatabase db)
{
    private const string Reported = "ds.revision, d.reported_model, d.reported_state, d.reported_revision";

    private const string SelectMembers =
        $"SELECT rd.device_id, {Reported} FROM rollout_devices rd LEFT JOIN devices d ON d.id = rd.device_id " +
        "LEFT JOIN desired_states ds ON ds.device_id = rd.device_id WHERE rd.rollout_id = @rollout_id";

    private const string SelectSince =
        $"SELECT d.id, {Reported} FROM devices d LEFT JOIN desired_states ds ON ds.device_id = d.id WHERE d.last_report_at >= @since";

    private const string SelectRolloutsVersion = "SELECT COUNT(*), MAX(updated_at) FROM rollouts";

    public async Task<IReadOnlyList<MemberReport>> ListMembersAsync(string rolloutId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectMembers).Bind("@rollout_id", rolloutId).QueryAsync(Read, cancellationToken);
    }

    /// <summary>Every device whose last report was stored at or after <paramref name="since"/> (an index on the report time finds them).</summary>
    public async Task<IReadOnlyList<MemberReport>> ListReportedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectSince).Bind("@since", since).QueryAsync(Read, cancellationToken);
    }

    /// <summary>
    /// Changes whenever any rollout is added or written: every step that changes desired states writes its rollout,
    /// so an unchanged version means the members' desired states are unchanged too.
    /// </summary>
    public async Task<(long Count, long LastUpdate)> RolloutsVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var select = connection.CreateCommand(SelectRolloutsVersion);
        var rows = await select.ReadAllAsync(
            row => (row.GetLong(0), row.IsDBNull(1) ? 0 : row.GetLong(1)),
            cancellationToken);
        return rows[0];
    }

    private static MemberReport Read(DbDataReader row) => new(
        row.GetString(0),
        row.IsDBNull(1) ? null : row.GetLong(1),
        row.GetStringOrNull(2),
        row.GetStringOrNull(3),
        row.IsDBNull(4) ? null : row.GetLong(4));
}
