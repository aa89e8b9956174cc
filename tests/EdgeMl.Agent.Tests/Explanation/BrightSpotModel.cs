using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;
using SkiaSharp;

namespace EdgeMl.Agent.Tests.Explanation;

/// <summary>The test models of Assets/make_bright_spot.py: 'spot' exactly when the 4x4 cell at rows 0-3, columns 8-11 of a 16x8 grey frame is bright.</summary>
internal static class BrightSpotModel
{
    public const int SpotLabel = 1;

    public static ModelPackage Package(string kind) =>
        ModelPackage.Load(Path.Combine(Repo.Root, "tests", "EdgeMl.Agent.Tests", "Explanation", "Assets", $"bright-spot-{kind}"));

    /// <summary>A mid-grey frame, white in the cell the model reads, in the model's normalised input space.</summary>
    public static float[] Tensor()
    {
        var tensor = new float[16 * 8];
        for (var y = 0; y < 8; y++)
        {
            for (var x = 0; x < 16; x++)
            {
                tensor[(y * 16) + x] = ((IsSpot(x, y) ? 255f : 128f) / 255f - 0.5f) / 0.25f;
            }
        }

        return tensor;
    }

    /// <summary>
    /// The same frame as a PNG, for the decode path; <paramref name="width"/> wider frames hold it <paramref name="shift"/>
    /// pixels to the right (a region of interest or a tile there sees the model's frame).
    /// </summary>
    public static byte[] Png(int width = 16, int shift = 0)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, 8, SKColorType.Gray8, SKAlphaType.Opaque));
        for (var y = 0; y < 8; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, IsSpot(x - shift, y) ? SKColors.White : new SKColor(128, 128, 128));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static bool IsSpot(int x, int y) => y < 4 && x is >= 8 and < 12;
}
