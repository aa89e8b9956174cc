using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EdgeMl.Fleet.Review;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>case list</c>: the cases devices uploaded, with their verdicts.</summary>
internal static class CaseCommands
{
    public static Command Create()
    {
        var cases = new Command("case", "Escalated and audited cases and their verdicts");
        var database = new LocalDatabase();
        var status = new Option<string?>("--status") { Description = "Only open or only reviewed cases" };
        status.AcceptOnlyFromAmong(CaseRecord.Open, CaseRecord.Reviewed);
        var json = new Option<bool>("--json") { Description = "Print JSON, as GET /api/cases" };
        var list = database.With(new Command("list", "List cases oldest first: id, device, model version, probabilities, status, verdict") { status, json });
        list.SetAction(async (result, cancellationToken) =>
        {
            var stores = await database.OpenAsync(result, cancellationToken);
            IReadOnlyList<CaseRecord> listed;
            await using (stores.Database)
            {
                listed = await stores.Cases.ListAsync(result.GetValue(status), cancellationToken);
            }

            await Console.Out.WriteLineAsync(result.GetValue(json)
                ? JsonSerializer.Serialize(listed.Select(CaseSummary.Of), JsonSerializerOptions.Web)
                : string.Join(Environment.NewLine, listed.Select(Line)));
            return 0;
        });
        cases.Subcommands.Add(list);
        return cases;
    }

    private static string Line(CaseRecord c) => string.Create(
        CultureInfo.InvariantCulture,
        $"{c.Id}  {c.DeviceId}  {c.Model}  {string.Join(' ', c.Probabilities.Select(p => $"{p.Key}={p.Value:0.000}"))}  {c.Decision}  {c.Status}  {c.Verdict ?? "-"}{(c.ReviewedBy is null ? "" : $" by {c.ReviewedBy}")}");
}
