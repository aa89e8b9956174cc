using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EdgeMl.Contracts.Packaging;

/// <summary>What a model package says about its model: everything the agent needs without code changes.</summary>
public sealed class ModelManifest
{
    public int SchemaVersion { get; init; } = 1;
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    public string? Description { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public InputSpec Input { get; init; } = new();
    public OutputSpec Output { get; init; } = new();
    public DecisionSpec Decision { get; init; } = new();
    public Dictionary<string, HistogramSpec>? ReferenceStatistics { get; init; }
    public string Sha256 { get; init; } = "";
    public JsonObject? Training { get; init; }

    [JsonIgnore]
    public string Id => $"{Name}:{Version}";
}

public sealed class InputSpec
{
    public string Name { get; init; } = "";
    public string ElementType { get; init; } = "float32";
    public string Layout { get; init; } = "NCHW";
    public int Width { get; init; }
    public int Height { get; init; }
    public int Channels { get; init; }
    /// <summary><c>gray</c>, <c>rgb</c> or <c>bgr</c>.</summary>
    public string ColorSpace { get; init; } = "rgb";
    public float Scale { get; init; } = 1f / 255f;
    public float[] Mean { get; init; } = [];
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
    public double Width { get; init; } = 1;
    public double Height { get; init; } = 1;
}

public sealed class TileSpec
{
    public int Columns { get; init; } = 1;
    public int Rows { get; init; } = 1;
    /// <summary>Share of a tile that overlaps its neighbour, so that a crack on a seam is whole in one tile.</summary>
    public double Overlap { get; init; }
    /// <summary><c>max</c>: the frame takes the tile most likely to hold <see cref="Label"/>; <c>mean</c>: tile probabilities are averaged.</summary>
    public string Reduce { get; init; } = "max";
    public string? Label { get; init; }
}

public sealed class OutputSpec
{
    public string Name { get; init; } = "";
    public string ElementType { get; init; } = "float32";
    /// <summary><c>logits</c> (the agent applies softmax) or <c>probabilities</c>.</summary>
    public string Kind { get; init; } = "logits";
    public string[] Labels { get; init; } = [];
}

public sealed class DecisionSpec
{
    /// <summary>A frame is decided automatically when its top label's probability reaches that label's threshold.</summary>
    public Dictionary<string, double> Thresholds { get; init; } = [];
}

public sealed class HistogramSpec
{
    public double[] Edges { get; init; } = [];
    public long[] Counts { get; init; } = [];
}
