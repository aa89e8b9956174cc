using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Sync;

/// <summary>
/// Tells the other replicas which devices have a new desired state: on PostgreSQL a NOTIFY sent inside the
/// transaction that stores the states, so it is delivered on commit or not at all. The payload names this replica
/// and the devices, never the states: a listener reads them from the database (and ends the sessions of a device
/// that is gone: it was revoked). On SQLite there is one server and nothing to tell.
/// </summary>
internal sealed class DesiredStateNotices(FleetDatabase database)
{
    public const string Channel = "edgeml_desired_states";

    // PostgreSQL refuses a payload of 8000 bytes or more.
    private const int PayloadBytes = 7800;
    private const char Separator = '\n';
    private const string Notify = "SELECT pg_notify('" + Channel + "', @payload)";

    /// <summary>This replica's name in the notices, new at every start.</summary>
    public string Replica { get; } = "replica-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>Sends, inside <paramref name="transaction"/>, the notices for <paramref name="states"/>.</summary>
    public async Task SendAsync(DbTransaction transaction, IReadOnlyList<DesiredStateRecord> states, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(states);
        if (database.IsPostgres && states.Count > 0)
        {
            await using var notify = transaction.CreateCommand(Notify);
            await SendAsync(notify, states.Select(s => s.DeviceId), cancellationToken);
        }
    }

    /// <summary>
    /// Sends the notices for devices whose desired state was deleted with them (revoked): the replica holding such a
    /// device's sessions finds neither state nor device and ends them.
    /// </summary>
    public async Task SendRemovedAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (database.IsPostgres)
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var notify = connection.CreateCommand(Notify);
            await SendAsync(notify, [deviceId], cancellationToken);
        }
    }

    private async Task SendAsync(DbCommand notify, IEnumerable<string> deviceIds, CancellationToken cancellationToken)
    {
        var payload = new StringBuilder(Replica);
        var bytes = Replica.Length;
        foreach (var deviceId in deviceIds)
        {
            var more = 1 + Encoding.UTF8.GetByteCount(deviceId);
            if (bytes + more > PayloadBytes)
            {
                await notify.Bind("@payload", payload.ToString()).ExecuteNonQueryAsync(cancellationToken);
                payload.Clear().Append(Replica);
                bytes = Replica.Length;
            }

            payload.Append(Separator).Append(deviceId);
            bytes += more;
        }

        await notify.Bind("@payload", payload.ToString()).ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The devices a notice names, or none when this replica sent it (it has told its own devices already).</summary>
    public IReadOnlyList<string> DevicesOf(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var parts = payload.Split(Separator);
        return parts[0] == Replica ? [] : parts[1..];
    }
}
