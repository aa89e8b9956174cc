namespace EdgeMl.Agent.Explanation;

/// <summary>
/// Where the model looks: for each grid cell (row-major, <see cref="Rows"/> x <see cref="Columns"/>), how much the
/// probability of <see cref="Label"/> drops when that cell is greyed out. Positive heat is evidence for the label.
/// </summary>
public sealed record OcclusionMap(string Label, float Probability, int Columns, int Rows, float[] Heat)
{
    public float At(int row, int column) => Heat[(row * Columns) + column];

    /// <summary>The cell with the largest drop.</summary>
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
