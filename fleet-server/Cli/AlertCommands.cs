using System.CommandLine;
using System.Globalization;
using EdgeMl.Fleet.Alerts;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>alert list</c>: the alerts the server raised, open and cleared.</summary>
internal static class AlertCommands
{
    public static Command Create()
    {
        var alerts = new Command("alert", "Alerts: drift, escalation, latency, offline devices, stale desired states, full outboxes");
        var database = new LocalDatabase();
        var open = new Option<bool>("--open") { Description = "Only alerts that are still open" };
        var json = new Option<bool>("--json") { Description = "Print JSON, as GET /api/alerts" };
        var list = database.With(new Command("list", "List alerts oldest first: raised, cleared, severity, kind, device, model version, message") { open, json });
        list.SetAction(async (result, cancellationToken) =>
        {
            var stores = await database.OpenAsync(result, cancellationToken);
            IReadOnlyList<AlertRecord> listed;
            await using (stores.Database)
            {
                listed = await stores.Alerts.ListAsync(result.GetValue(open), cancellationToken);
            }

            await Console.Out.WriteLineAsync(result.GetValue(json) ? AlertJson.Serialize(listed) : string.Join(Environment.NewLine, listed.Select(Line)));
            return 0;
        });
        alerts.Subcommands.Add(list);
        return alerts;
    }

    private static string Line(AlertRecord a) => string.Create(
        CultureInfo.InvariantCulture,
        $"{a.RaisedAt:u}  {(a.ClearedAt is { } cleared ? $"cleared {cleared:u}" : "open")}  {a.Severity}  {a.Kind}  {a.DeviceId ?? "-"}  {(a.ModelName is null ? "-" : $"{a.ModelName}:{a.ModelVersion}")}  {a.Message}");
}
