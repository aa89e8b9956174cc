using EdgeMl.Contracts.Packaging;
using SkiaSharp;

namespace EdgeMl.Agent.Tests.Imaging;

/// <summary>Input specs and frames the imaging tests share.</summary>
internal static class TestImages
{
    public static InputSpec Gray(int width, int height, RegionSpec? roi = null, TileSpec? tiles = null) => new()
    {
        Roi = roi,
        Tiles = tiles,
        Name = "image",
        Width = width,
        Height = height,
        Channels = 1,
        ColorSpace = "gray",
        Scale = 1f / 255,
        Mean = [0.5f],
        Std = [0.25f],
    };

    public static SKBitmap Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                // Smooth gradients plus noise, so that JPEG keeps it close and resampling has something to average.
                var b = (byte)((x * 255 / width + random.Next(40)) % 256);
                bitmap.SetPixel(x, y, new SKColor(b, (byte)(y * 255 / height), (byte)random.Next(256)));
            }
        }

        return bitmap;
    }

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format)
    {
        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }
}
