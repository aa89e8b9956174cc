using System.Text.RegularExpressions;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Review;

/// <summary>What the server accepts in an uploaded case; every problem is reported at once as one INVALID_ARGUMENT message.</summary>
internal static partial class CaseUploadCheck
{
    public const int ImageBytes = 4 * 1024 * 1024;
    public const int HeatmapBytes = 1024 * 1024;
    private const int MaxLabels = 64;
    private const int MaxText = 128;

    private static readonly string[] Levels = ["human", "shadow", "assist", "partial", "full"];

    /// <summary>The problems with <paramref name="upload"/>; empty when it may be stored.</summary>
    public static IReadOnlyList<string> Problems(CaseUpload upload)
    {
        var problems = new List<string>();
        if (!CaseId().IsMatch(upload.CaseId))
        {
            problems.Add("case_id must be 1 to 64 of A-Z, a-z, 0-9, '_' and '-'");
        }

        var image = upload.ImageJpeg.Span;
        if (image.Length is 0 or > ImageBytes || !image.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            problems.Add($"image_jpeg must be a JPEG of at most {ImageBytes} bytes (got {image.Length} bytes)");
        }

        var heatmap = upload.Heatmap.Span;
        if (heatmap.Length > HeatmapBytes || (heatmap.Length > 0 && !heatmap.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) && !heatmap.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G'])))
        {
            problems.Add($"heatmap must be a PNG or JPEG of at most {HeatmapBytes} bytes");
        }

        if (upload.Probabilities.Count is 0 or > MaxLabels
            || upload.Probabilities.Any(p => p.Key.Length is 0 or > MaxText || !double.IsFinite(p.Value) || p.Value is < 0 or > 1))
        {
            problems.Add($"probabilities must hold 1 to {MaxLabels} labels, each with a value from 0 to 1");
        }

        if (upload.ModelName.Length > MaxText || upload.ModelVersion.Length > MaxText || (upload.ModelCall != ModelCall.None && (upload.ModelName.Length == 0 || upload.ModelVersion.Length == 0)))
        {
            problems.Add("model_name and model_version are required when a model made the call (at most 128 characters each)");
        }

        if (!Levels.Contains(upload.AutomationLevel))
        {
            problems.Add("automation_level must be one of " + string.Join(", ", Levels));
        }

        if (upload.Decision == CaseDecision.Unspecified || !Enum.IsDefined(upload.Decision))
        {
            problems.Add("decision must be escalate or audit");
        }

        if (!Enum.IsDefined(upload.ModelCall))
        {
            problems.Add("model_call must be none, pass or reject");
        }

        return problems;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex CaseId();
}
