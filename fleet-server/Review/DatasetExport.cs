using System.Globalization;
using System.Text;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Review;

/// <summary>
/// Reviewed cases as a training set: each image in a folder named after its verdict (<c>ok/</c>, <c>defect/</c>) and
/// <c>labels.csv</c> beside them, one row per image, ready for retraining (an image-folder loader or the CSV).
/// </summary>
internal static class DatasetExport
{
    public const string CsvName = "labels.csv";

    private static readonly string[] Header =
        ["file", "label", "case_id", "device_id", "site", "line", "model_name", "model_version", "decision", "model_call", "captured_at", "reviewed_at", "reviewed_by"];

    /// <summary>Writes the cases reviewed at or after <paramref name="since"/> under <paramref name="output"/>; returns how many images were written and how many cases had no image on disk.</summary>
    public static async Task<(int Exported, int Missing)> WriteAsync(CaseStore cases, CaseImages images, DateTimeOffset since, string output, CancellationToken cancellationToken)
    {
        var reviewed = await cases.ReviewedSinceAsync(since, cancellationToken);
        Directory.CreateDirectory(output);
        var csv = new StringBuilder().AppendLine(string.Join(',', Header));
        int exported = 0, missing = 0;
        foreach (var c in reviewed.Where(c => c.Verdict is CaseStore.Ok or CaseStore.Defect))
        {
            var source = images.ImagePath(c.Id);
            if (!File.Exists(source))
            {
                missing++;
                continue;
            }

            var file = Path.Combine(c.Verdict!, c.Id + ".jpg");
            Directory.CreateDirectory(Path.Combine(output, c.Verdict!));
            File.Copy(source, Path.Combine(output, file), overwrite: true);
            string[] row =
            [
                file.Replace('\\', '/'), c.Verdict!, c.Id, c.DeviceId, c.Site, c.Line, c.ModelName, c.ModelVersion, c.Decision, c.ModelCall,
                Iso(c.CapturedAt), c.ReviewedAt is { } at ? Iso(at) : "", c.ReviewedBy ?? "",
            ];
            csv.AppendLine(string.Join(',', row.Select(Quote)));
            exported++;
        }

        await File.WriteAllTextAsync(Path.Combine(output, CsvName), csv.ToString(), cancellationToken);
        return (exported, missing);
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.</summary>
    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
