using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Imaging;

/// <summary>The rectangles of a frame the model sees, as fractions of the frame: the region of interest split into tiles.</summary>
internal static class TileLayout
{
    public readonly record struct Rect(double X, double Y, double Width, double Height);

    /// <summary>The region of interest, the whole frame when the manifest names none: what the tiles cover.</summary>
    public static Rect Region(InputSpec input) => input.Roi is { } roi ? new Rect(roi.X, roi.Y, roi.Width, roi.Height) : new Rect(0, 0, 1, 1);

    public static Rect[] Compute(InputSpec input)
    {
        var roi = Region(input);
        var columns = input.Tiles?.Columns ?? 1;
        var rows = input.Tiles?.Rows ?? 1;
        var overlap = input.Tiles?.Overlap ?? 0;
        var width = roi.Width / (columns - ((columns - 1) * overlap));
        var height = roi.Height / (rows - ((rows - 1) * overlap));
        var tiles = new Rect[columns * rows];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                tiles[(r * columns) + c] = new Rect(
                    roi.X + (c * width * (1 - overlap)),
                    roi.Y + (r * height * (1 - overlap)),
                    width,
                    height);
            }
        }

        return tiles;
    }
}
