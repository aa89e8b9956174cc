using System.CommandLine;
using System.Globalization;
using EdgeMl.Fleet.Review;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>dataset export</c>: reviewed case images with their verdicts as labels, for retraining.</summary>
internal static class DatasetCommands
{
    public static Command Create()
    {
        var dataset = new Command("dataset", "Training data from reviewed cases");
        var database = new LocalDatabase();
        var since = new Option<string>("--since") { Description = "Cases reviewed at or after this date or time (e.g. 2026-11-01, UTC unless it names an offset)", Required = true };
        var output = new Option<string>("--out") { Description = "Folder to write: a folder per label (ok, defect) and labels.csv", Required = true };
        var export = database.With(new Command("export", "Export reviewed images, a folder per label, and labels.csv") { since, output });
        export.SetAction(async (result, cancellationToken) =>
        {
            var text = result.GetRequiredValue(since);
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var from))
            {
                await Console.Error.WriteLineAsync($"error: --since '{text}' is not a date; give e.g. 2026-11-01 or 2026-11-01T08:00:00Z");
                return 2;
            }

            var stores = await database.OpenAsync(result, cancellationToken);
            await using (stores.Database)
            {
                var folder = Path.GetFullPath(result.GetRequiredValue(output));
                var images = new CaseImages(result.GetRequiredValue(database.Data));
                var (exported, missing) = await DatasetExport.WriteAsync(stores.Cases, images, from, folder, cancellationToken);
                await Console.Out.WriteLineAsync($"{exported} reviewed images written to {folder} ({DatasetExport.CsvName} lists them)");
                if (missing > 0)
                {
                    await Console.Error.WriteLineAsync($"warning: {missing} reviewed cases have no image under {Path.Combine(result.GetRequiredValue(database.Data), "cases")}; they are left out");
                }
            }

            return 0;
        });
        dataset.Subcommands.Add(export);
        return dataset;
    }
}
