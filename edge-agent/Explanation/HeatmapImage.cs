using SkiaSharp;

namespace EdgeMl.Agent.Explanation;

/// <summary>
/// Renders an <see cref="ExplanationMap"/> as a small colour PNG of the whole frame, for a person to lay over it: the grid
/// fills the map's region (a model's region of interest, the tiles' extent), and the rest of the frame stays clear.
/// </summary>
internal static class HeatmapImage
{
    /// <summary>Pixels along the longer side: enough to see which part of the phone lit up, small enough to travel with every case.</summary>
    public const int LongSide = 160;

    /// <summary>
    /// Full heat (a map's probability 1, occlusion's largest drop) is opaque white, through yellow and red ("hot"
    /// colour ramp) to transparent where there is none (or less), so that laid over the frame it colours the evidence and
    /// leaves the rest as the camera saw it, on a white screen as on a dark one.
    /// </summary>
    public static byte[] EncodePng(ExplanationMap map)
    {
        var (width, height) = map.FrameAspect >= 1
            ? (LongSide, Math.Max(1, (int)Math.Round(LongSide / map.FrameAspect)))
            : (Math.Max(1, (int)Math.Round(LongSide * map.FrameAspect)), LongSide);
        var region = map.Region;
        var (left, top) = ((int)Math.Round(region.X * width), (int)Math.Round(region.Y * height));
        var (right, bottom) = ((int)Math.Round((region.X + region.Width) * width), (int)Math.Round((region.Y + region.Height) * height));
        // A map's cells are probabilities: drawn on that scale, a frame the model finds clean stays nearly clear. Occlusion
        // drops are small beside 1 on most frames, so they are drawn relative to the largest.
        var max = map.Method == ExplanationMap.ModelMap ? 1f : map.Heat.Max();
        // Premultiplied, so that resizing blends a hot cell into a transparent one without a dark fringe.
        using var grid = new SKBitmap(new SKImageInfo(map.Columns, map.Rows, SKColorType.Rgba8888, SKAlphaType.Premul));
        for (var row = 0; row < map.Rows; row++)
        {
            for (var column = 0; column < map.Columns; column++)
            {
                var t = max > 0 ? Math.Clamp(map.At(row, column) / max, 0f, 1f) : 0f;
                grid.SetPixel(column, row, Hot(t));
            }
        }

        using var scaled = grid.Resize(
            new SKImageInfo(Math.Max(1, right - left), Math.Max(1, bottom - top), SKColorType.Rgba8888, SKAlphaType.Premul), new SKSamplingOptions(SKFilterMode.Linear));
        using var frame = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(frame))
        {
            canvas.Clear(SKColors.Transparent);
            canvas.DrawBitmap(scaled, left, top);
        }

        using var image = SKImage.FromBitmap(frame);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Opaque from half the map's most heat up: a faint cell stays see-through, a hot one hides what lies under it.</summary>
    private static SKColor Hot(float t) => new(
        (byte)(255 * Math.Clamp(t * 3f, 0f, 1f)),
        (byte)(255 * Math.Clamp((t * 3f) - 1f, 0f, 1f)),
        (byte)(255 * Math.Clamp((t * 3f) - 2f, 0f, 1f)),
        (byte)(255 * Math.Clamp(t * 2f, 0f, 1f)));
}
