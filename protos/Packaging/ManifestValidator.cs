using System.Text.RegularExpressions;

namespace EdgeMl.Contracts.Packaging;

/// <summary>Checks a manifest on its own terms and reports every problem, not just the first.</summary>
public static partial class ManifestValidator
{
    private static readonly string[] ColorSpaces = ["gray", "rgb", "bgr"];
    private static readonly string[] OutputKinds = ["logits", "probabilities"];
    private static readonly string[] Reductions = ["max", "mean"];

    public static List<string> Validate(ModelManifest manifest)
    {
        var problems = new List<string>();
        if (manifest.SchemaVersion != 1)
        {
            problems.Add($"schemaVersion {manifest.SchemaVersion} is not supported (this agent reads 1)");
        }

        if (!NamePattern().IsMatch(manifest.Name))
        {
            problems.Add($"name '{manifest.Name}' must be 1-64 characters of a-z, 0-9, '-', '_' or '.'");
        }

        if (!NamePattern().IsMatch(manifest.Version))
        {
            problems.Add($"version '{manifest.Version}' must be 1-64 characters of a-z, 0-9, '-', '_' or '.'");
        }

        if (!Sha256Pattern().IsMatch(manifest.Sha256))
        {
            problems.Add("sha256 must be the 64 lower-case hex digits of model.onnx's SHA-256");
        }

        ValidateInput(manifest.Input, manifest.Output.Labels, problems);
        ValidateOutput(manifest.Output, problems);
        if (manifest.Explanation is { } explanation)
        {
            ValidateExplanation(explanation, manifest, problems);
        }

        ValidateDecision(manifest.Decision, manifest.Output.Labels, problems);
        return problems;
    }

    private static void ValidateInput(InputSpec input, string[] labels, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(input.Name))
        {
            problems.Add("input.name is missing");
        }

        if (input.ElementType != "float32")
        {
            problems.Add($"input.elementType '{input.ElementType}' is not supported (float32)");
        }

        if (input.Layout is not ("NCHW" or "NHWC"))
        {
            problems.Add($"input.layout '{input.Layout}' is not supported (NCHW or NHWC)");
        }

        if (input.Width is < 1 or > 8192 || input.Height is < 1 or > 8192)
        {
            problems.Add($"input size {input.Width}x{input.Height} must be between 1 and 8192 on each side");
        }

        if (!ColorSpaces.Contains(input.ColorSpace))
        {
            problems.Add($"input.colorSpace '{input.ColorSpace}' is not one of gray, rgb, bgr");
        }

        var expectedChannels = input.ColorSpace == "gray" ? 1 : 3;
        if (input.Channels != expectedChannels)
        {
            problems.Add($"input.channels is {input.Channels} but colorSpace '{input.ColorSpace}' has {expectedChannels}");
        }

        if (input.Mean.Length != input.Channels || input.Std.Length != input.Channels)
        {
            problems.Add($"input.mean and input.std need one value per channel ({input.Channels}), have {input.Mean.Length} and {input.Std.Length}");
        }

        if (input.Std.Any(s => !(s > 0)))
        {
            problems.Add("input.std values must be positive");
        }

        if (!(input.Scale > 0))
        {
            problems.Add("input.scale must be positive");
        }

        if (input.Roi is { } roi
            && (roi.X < 0 || roi.Y < 0 || !(roi.Width > 0) || !(roi.Height > 0) || roi.X + roi.Width > 1.000001 || roi.Y + roi.Height > 1.000001))
        {
            problems.Add("input.roi must lie inside the frame: x, y >= 0, width, height > 0, x + width <= 1, y + height <= 1");
        }

        if (input.Tiles is { } tiles)
        {
            if (tiles.Columns is < 1 or > 16 || tiles.Rows is < 1 or > 16)
            {
                problems.Add("input.tiles columns and rows must be between 1 and 16");
            }

            if (tiles.Overlap is < 0 or >= 0.9)
            {
                problems.Add("input.tiles.overlap must be in [0, 0.9)");
            }

            if (!Reductions.Contains(tiles.Reduce))
            {
                problems.Add($"input.tiles.reduce '{tiles.Reduce}' is not one of max, mean");
            }
            else if (tiles.Reduce == "max" && (tiles.Label is null || !labels.Contains(tiles.Label)))
            {
                problems.Add($"input.tiles.label '{tiles.Label}' must name an output label for reduce 'max'");
            }
        }
    }

    private static void ValidateOutput(OutputSpec output, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(output.Name))
        {
            problems.Add("output.name is missing");
        }

        if (output.ElementType != "float32")
        {
            problems.Add($"output.elementType '{output.ElementType}' is not supported (float32)");
        }

        if (!OutputKinds.Contains(output.Kind))
        {
            problems.Add($"output.kind '{output.Kind}' is not one of logits, probabilities");
        }

        if (output.Labels.Length < 2)
        {
            problems.Add("output.labels needs at least two labels");
        }

        if (output.Labels.Distinct(StringComparer.Ordinal).Count() != output.Labels.Length)
        {
            problems.Add("output.labels has duplicates");
        }

        if (output.Labels.Any(l => !LabelPattern().IsMatch(l)))
        {
            problems.Add("output.labels must be 1-64 characters of a-z, A-Z, 0-9, '-' or '_' (they become column names)");
        }
    }

    private static void ValidateExplanation(ExplanationSpec explanation, ModelManifest manifest, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(explanation.Output))
        {
            problems.Add("explanation.output is missing");
        }
        else if (explanation.Output == manifest.Output.Name)
        {
            problems.Add($"explanation.output '{explanation.Output}' is output.name; name the model's map tensor");
        }

        if (!manifest.Output.Labels.Contains(explanation.Label))
        {
            problems.Add($"explanation.label '{explanation.Label}' is not an output label ({string.Join(", ", manifest.Output.Labels)})");
        }

        if (!OutputKinds.Contains(explanation.Kind))
        {
            problems.Add($"explanation.kind '{explanation.Kind}' is not one of logits, probabilities");
        }
    }

    private static void ValidateDecision(DecisionSpec decision, string[] labels, List<string> problems)
    {
        if (decision.Thresholds is null == decision.Bands is null)
        {
            problems.Add("decision needs either thresholds (one per label) or bands (on one label's probability), not both and not neither");
        }

        if (decision.Thresholds is { } thresholds)
        {
            ValidateThresholds(thresholds, labels, problems);
        }

        if (decision.Bands is { } bands)
        {
            ValidateBands(bands, "decision.bands", labels, problems);
        }

        if (decision.PassLabel is { } pass)
        {
            if (!labels.Contains(pass))
            {
                problems.Add($"decision.passLabel '{pass}' is not an output label");
            }
            else if (decision.Bands?.Label == pass)
            {
                problems.Add($"decision.passLabel '{pass}' is the label decision.bands rejects on");
            }
        }
    }

    private static void ValidateThresholds(Dictionary<string, double> thresholds, string[] labels, List<string> problems)
    {
        foreach (var label in labels.Where(l => !thresholds.ContainsKey(l)))
        {
            problems.Add($"decision.thresholds has no threshold for label '{label}'");
        }

        foreach (var (label, threshold) in thresholds)
        {
            if (!labels.Contains(label))
            {
                problems.Add($"decision.thresholds names '{label}', which is not an output label");
            }

            if (threshold is < 0 or > 1 || double.IsNaN(threshold))
            {
                problems.Add($"decision.thresholds['{label}'] = {threshold} must be between 0 and 1");
            }
        }
    }

    /// <summary>
    /// Checks bands named <paramref name="at"/> (a manifest path or a device setting); with <paramref name="labels"/>
    /// null, only what can be checked without a model (a device setting before any model is loaded).
    /// </summary>
    public static void ValidateBands(BandSpec bands, string at, string[]? labels, List<string> problems)
    {
        if (!(bands.Lower is >= 0 and <= 1) || !(bands.Upper is >= 0 and <= 1) || !(bands.Lower < bands.Upper))
        {
            problems.Add($"{at}: lower {bands.Lower} and upper {bands.Upper} must satisfy 0 <= lower < upper <= 1");
        }

        if (labels is null)
        {
            if (string.IsNullOrWhiteSpace(bands.Label))
            {
                problems.Add($"{at}.label is missing");
            }
        }
        else if (labels.Length != 2)
        {
            problems.Add($"{at} needs a model with exactly two labels, this one has {labels.Length} (use decision.thresholds)");
        }
        else if (!labels.Contains(bands.Label))
        {
            problems.Add($"{at}.label '{bands.Label}' is not an output label ({string.Join(", ", labels)})");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();
}
