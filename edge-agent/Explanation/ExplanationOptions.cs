namespace EdgeMl.Agent.Explanation;

/// <summary>Heatmaps for escalated and audited frames: the model's own map where its manifest declares one, occlusion otherwise (section <c>Explanation</c>, <c>EDGEML_EXPLANATION__*</c>); off unless <see cref="Enabled"/>.</summary>
public sealed class ExplanationOptions
{
    public const string Section = "Explanation";

    /// <summary>Makes a heatmap for each escalated or audited frame, off the scoring path.</summary>
    public bool Enabled { get; set; }

    /// <summary>Occlusion grid cells along the input's longer side; the shorter side gets as many as keep the cells square. A model's own map has its own grid.</summary>
    public int Cells { get; set; } = 16;

    /// <summary>Occluded copies scored in one ONNX Runtime run when the model's batch dimension is dynamic.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Frames waiting for a heatmap; when full the oldest is dropped and counted, so scoring never waits for explanations.</summary>
    public int QueueCapacity { get; set; } = 32;

    /// <summary>Where heatmaps (PNG) and their raw grids (JSON) are written; relative to the agent's data directory.</summary>
    public string Directory { get; set; } = "explanations";

    public IEnumerable<string> Validate()
    {
        if (Cells is < 2 or > 64)
        {
            yield return $"Explanation:Cells is {Cells}; use 2 to 64 cells along the longer side";
        }

        if (BatchSize is < 1 or > 256)
        {
            yield return $"Explanation:BatchSize is {BatchSize}; use 1 to 256";
        }

        if (QueueCapacity is < 1 or > 10_000)
        {
            yield return $"Explanation:QueueCapacity is {QueueCapacity}; use 1 to 10000";
        }

        if (string.IsNullOrWhiteSpace(Directory))
        {
            yield return "Explanation:Directory is empty; name a folder for the heatmaps";
        }
    }
}
