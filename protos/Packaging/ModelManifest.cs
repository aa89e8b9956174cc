using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EdgeMl.Contracts.Packaging;

/// <summary>What a model package says about its model: everything the agent needs without code changes.</summary>
/// <remarks>
/// docs/manifest.md is the reference. <c>[JsonRequired]</c> marks the fields without a default. A field
/// with a default other than zero or null has a setter, not <c>init</c>: the JSON source generator
/// passes default(T) for an absent init-only property, which would overwrite the default written here.
/// </remarks>
public sealed class ModelManifest
{
    public int SchemaVersion { get; set; } = 1;
    [JsonRequired]
    public string Name { get; init; } = "";
    [JsonRequired]
    public string Version { get; init; } = "";
    public string? Description { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    [JsonRequired]
    public InputSpec Input { get; init; } = new();
    [JsonRequired]
    public OutputSpec Output { get; init; } = new();
    /// <summary>The model's own map of evidence for one label, shown as the heatmap; occlusion heatmaps when absent.</summary>
    public ExplanationSpec? Explanation { get; init; }
    [JsonRequired]
    public DecisionSpec Decision { get; init; } = new();
    public Dictionary<string, HistogramSpec>? ReferenceStatistics { get; init; }
    [JsonRequired]
    public string Sha256 { get; init; } = "";
    public JsonObject? Training { get; init; }

    [JsonIgnore]
    public string Id => $"{Name}:{Version}";
}

public sealed class InputSpec
{
    [JsonRequired]
    public string Name { get; init; } = "";
    public string ElementType { get; set; } = "float32";
    public string Layout { get; set; } = "NCHW";
    [JsonRequired]
    public int Width { get; init; }
    [JsonRequired]
    public int Height { get; init; }
    [JsonRequired]
    public int Channels { get; init; }
    /// <summary><c>gray</c>, <c>rgb</c> or <c>bgr</c>.</summary>
    public string ColorSpace { get; set; } = "rgb";
    public float Scale { get; set; } = 1f / 255f;
    [JsonRequired]
    public float[] Mean { get; init; } = [];
    [JsonRequired]
    public float[] Std { get; init; } = [];
    /// <summary>Part of the frame the model looks at, as fractions of its width and height; the whole frame when absent.</summary>
    public RegionSpec? Roi { get; init; }
    /// <summary>Splits the region into a grid of tiles scored as one batch; one tile when absent.</summary>
    public TileSpec? Tiles { get; init; }
}

public sealed class RegionSpec
{
    public double X { get; init; }
    public double Y { get; init; }
    public double Width { get; set; } = 1;
    public double Height { get; set; } = 1;
}

public sealed class TileSpec
{
    public int Columns { get; set; } = 1;
    public int Rows { get; set; } = 1;
    /// <summary>Share of a tile that overlaps its neighbour, so that a crack on a seam is whole in one tile.</summary>
    public double Overlap { get; init; }
    /// <summary><c>max</c>: the frame takes the tile most likely to hold <see cref="Label"/>; <c>mean</c>: tile probabilities are averaged.</summary>
    public string Reduce { get; set; } = "max";
    public string? Label { get; init; }
}

public sealed class OutputSpec
{
    [JsonRequired]
    public string Name { get; init; } = "";
    public string ElementType { get; set; } = "float32";
    /// <summary><c>logits</c> (the agent applies softmax) or <c>probabilities</c>.</summary>
    public string Kind { get; set; } = "logits";
    [JsonRequired]
    public string[] Labels { get; init; } = [];
}

/// <summary>
/// A second output of the model that says where it found evidence: one score per cell of a grid laid evenly over the
/// input (shape <c>[N, rows, columns]</c> or <c>[N, 1, rows, columns]</c>). Costs one inference, where an occlusion
/// heatmap costs one per grid cell.
/// </summary>
public sealed class ExplanationSpec
{
    /// <summary>Name of the map's output tensor.</summary>
    [JsonRequired]
    public string Output { get; init; } = "";
    /// <summary>The output label the map is evidence for, whatever label the frame gets.</summary>
    [JsonRequired]
    public string Label { get; init; } = "";
    /// <summary><c>logits</c> (the agent applies the sigmoid to each cell) or <c>probabilities</c>.</summary>
    public string Kind { get; set; } = "logits";
}

/// <summary>
/// Sorts a frame into one of three bands: confident pass, escalate to a person, confident reject. Either
/// per-label <see cref="Thresholds"/> or <see cref="Bands"/> on one label's probability; exactly one of them.
/// </summary>
public sealed class DecisionSpec
{
    /// <summary>The frame's top label is confident when its probability reaches that label's threshold.</summary>
    public Dictionary<string, double>? Thresholds { get; init; }

    /// <summary>Two-label models: the band follows from the probability of <see cref="BandSpec.Label"/> alone.</summary>
    public BandSpec? Bands { get; init; }

    /// <summary>The label whose confident decision passes the part; the first output label when absent (with <see cref="Bands"/>: the label it does not name).</summary>
    public string? PassLabel { get; init; }
}

/// <summary>On the probability p of <see cref="Label"/>: p &lt;= <see cref="Lower"/> is a confident pass, p &gt;= <see cref="Upper"/> a confident reject, anything between goes to a person.</summary>
public sealed class BandSpec
{
    [JsonRequired]
    public string Label { get; init; } = "";
    [JsonRequired]
    public double Lower { get; init; }
    [JsonRequired]
    public double Upper { get; init; }
}

public sealed class HistogramSpec
{
    [JsonRequired]
    public double[] Edges { get; init; } = [];
    [JsonRequired]
    public long[] Counts { get; init; } = [];
}
