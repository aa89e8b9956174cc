using EdgeMl.Contracts.Packaging;
using SkiaSharp;

namespace EdgeMl.Agent.Tests.Imaging;

/// <summary>
/// The preprocessing contract computed straight from its definition, in double precision and
/// with no shortcuts: each output pixel is the integral of the source over its box.
/// </summary>
internal static class ReferencePreprocessing
{
    public static double[,] Luma(SKBitmap bitmap)
    {
        var luma = new double[bitmap.Height, bitmap.Width];
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                luma[y, x] = ((c.Red * 19595) + (c.Green * 38470) + (c.Blue * 7471) + 32768) >> 16;
            }
        }

        return luma;
    }

    /// <summary>Mean of <paramref name="plane"/> over the box of output pixel (i, j) of a rect resampled to w x h.</summary>
    public static double[,] AreaResample(double[,] plane, double left, double top, double width, double height, int w, int h)
    {
        var output = new double[h, w];
        var sx = width / w;
        var sy = height / h;
        for (var i = 0; i < h; i++)
        {
            for (var j = 0; j < w; j++)
            {
                double y0 = top + (i * sy), y1 = y0 + sy, x0 = left + (j * sx), x1 = x0 + sx;
                double sum = 0, area = 0;
                for (var y = (int)Math.Floor(y0); y < Math.Ceiling(y1) && y < plane.GetLength(0); y++)
                {
                    var oy = Math.Min(y1, y + 1) - Math.Max(y0, y);
                    for (var x = (int)Math.Floor(x0); x < Math.Ceiling(x1) && x < plane.GetLength(1); x++)
                    {
                        var o = oy * (Math.Min(x1, x + 1) - Math.Max(x0, x));
                        sum += o * plane[y, x];
                        area += o;
                    }
                }

                output[i, j] = sum / area;
            }
        }

        return output;
    }

    public static float Normalise(double value, InputSpec input) => (float)(((value * input.Scale) - input.Mean[0]) / input.Std[0]);
}
