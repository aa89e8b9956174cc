using EdgeMl.Agent.Imaging;

namespace EdgeMl.Agent.Explanation;

/// <summary>
/// Where the model found evidence for <see cref="Label"/>: one heat value per grid cell over <see cref="Region"/>
/// (row-major, <see cref="Rows"/> x <see cref="Columns"/>). <see cref="Method"/> says what the heat is:
/// <c>occlusion</c>, how much the label's probability drops when that cell is greyed out; <c>map</c>, the
/// probability the model's own map output gives the cell. Either way more heat is more evidence for the label.
/// </summary>
internal sealed record ExplanationMap(string Method, string Label, float Probability, int Columns, int Rows, float[] Heat)
{
    public const string Occlusion = "occlusion";
    public const string ModelMap = "map";

    /// <summary>The part of the frame the grid lies over, as fractions of its width and height: the model's region of interest, the whole frame without one.</summary>
    public TileLayout.Rect Region { get; init; } = new(0, 0, 1, 1);

    /// <summary>Width over height of the frame as the model sees it (its input, or each tile, stretched over its part of the frame): the shape a heatmap is drawn at.</summary>
    public double FrameAspect { get; init; } = 1;

    public float At(int row, int column) => Heat[(row * Columns) + column];

    /// <summary>The cell with the most heat.</summary>
    public (int Row, int Column) Peak()
    {
        var best = 0;
        for (var i = 1; i < Heat.Length; i++)
        {
            if (Heat[i] > Heat[best])
            {
                best = i;
            }
        }

        return (best / Columns, best % Columns);
    }
}
