using SkiaSharp;

namespace EdgeMl.Agent.Explanation;

/// <summary>Renders an <see cref="ExplanationMap"/> as a small colour PNG at the model input's aspect, for a person to lay over the frame.</summary>
internal static class HeatmapImage
{
    /// <summary>Pixels along the longer side: enough to see which part of the phone lit up, small enough to travel with every case.</summary>
    public const int LongSide = 160;

    /// <summary>No heat (or less) is black; the most heat in the map is white, through red and yellow ("hot" colour ramp).</summary>
    public static byte[] EncodePng(ExplanationMap map, int inputWidth, int inputHeight)
    {
        var (width, height) = inputWidth >= inputHeight
            ? (LongSide, Math.Max(1, LongSide * inputHeight / inputWidth))
            : (Math.Max(1, LongSide * inputWidth / inputHeight), LongSide);
        var max = map.Heat.Max();
        using var grid = new SKBitmap(new SKImageInfo(map.Columns, map.Rows, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var row = 0; row < map.Rows; row++)
        {
            for (var column = 0; column < map.Columns; column++)
            {
                var t = max > 0 ? Math.Clamp(map.At(row, column) / max, 0f, 1f) : 0f;
                grid.SetPixel(column, row, Hot(t));
            }
        }

        using var scaled = grid.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), new SKSamplingOptions(SKFilterMode.Linear));
        using var image = SKImage.FromBitmap(scaled);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static SKColor Hot(float t) => new(
        (byte)(255 * Math.Clamp(t * 3f, 0f, 1f)),
        (byte)(255 * Math.Clamp((t * 3f) - 1f, 0f, 1f)),
        (byte)(255 * Math.Clamp((t * 3f) - 2f, 0f, 1f)));
}
