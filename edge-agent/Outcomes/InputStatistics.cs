using System.Numerics;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Outcomes;

/// <summary>
/// Cheap statistics of what the model saw, on the 0..255 pixel scale of the resized frame, defined
/// as train.py defines the manifest's reference statistics (so drift compares like with like):
/// brightness is the mean, contrast the standard deviation, sharpness the mean absolute
/// 4-neighbour Laplacian of the grey level (the mean of the channels).
/// </summary>
public readonly record struct InputStatistics(float Brightness, float Contrast, float Sharpness)
{
    /// <summary>
    /// Measures the preprocessed tensor (all tiles pooled) by undoing the manifest's scaling per
    /// channel. Undoing it is linear, so the Laplacian is taken on the tensor and scaled, without a buffer.
    /// </summary>
    public static InputStatistics Measure(ReadOnlySpan<float> tensor, InputSpec input)
    {
        int width = input.Width, height = input.Height, channels = input.Channels;
        var plane = width * height;
        var tiles = tensor.Length / (plane * channels);
        if (channels == 1 && width > 2 && tiles > 0)
        {
            return MeasureGrey(tensor[..(tiles * plane)], input);
        }

        var nchw = input.Layout != "NHWC";

        // Grey level = sum over channels of (multiply[c] * x + add[c]).
        Span<double> multiply = stackalloc double[channels];
        Span<double> add = stackalloc double[channels];
        for (var c = 0; c < channels; c++)
        {
            var std = input.Std.Length > c ? input.Std[c] : 1;
            var mean = input.Mean.Length > c ? input.Mean[c] : 0;
            multiply[c] = std / input.Scale / channels;
            add[c] = mean / input.Scale / channels;
        }

        var channelStride = nchw ? plane : 1;
        var pixelStride = nchw ? 1 : channels;
        var rowStride = width * pixelStride;
        double sum = 0, squares = 0, laplacian = 0;
        for (var t = 0; t < tiles; t++)
        {
            var tile = tensor.Slice(t * plane * channels, plane * channels);
            for (var y = 0; y < height; y++)
            {
                var interiorRow = y > 0 && y < height - 1;
                for (var x = 0; x < width; x++)
                {
                    var at = (y * rowStride) + (x * pixelStride);
                    double grey = 0, lap = 0;
                    var interior = interiorRow && x > 0 && x < width - 1;
                    for (var c = 0; c < channels; c++)
                    {
                        var i = at + (c * channelStride);
                        grey += (multiply[c] * tile[i]) + add[c];
                        if (interior)
                        {
                            lap += multiply[c] * ((4 * tile[i]) - tile[i - pixelStride] - tile[i + pixelStride] - tile[i - rowStride] - tile[i + rowStride]);
                        }
                    }

                    sum += grey;
                    squares += grey * grey;
                    laplacian += Math.Abs(lap);
                }
            }
        }

        var pixels = (double)tiles * plane;
        var interiorPixels = (double)tiles * Math.Max(0, width - 2) * Math.Max(0, height - 2);
        if (pixels == 0)
        {
            return default;
        }

        var brightness = sum / pixels;
        var contrast = Math.Sqrt(Math.Max(0, (squares / pixels) - (brightness * brightness)));
        return new InputStatistics((float)brightness, (float)contrast, interiorPixels == 0 ? 0 : (float)(laplacian / interiorPixels));
    }

    /// <summary>
    /// One channel, the common case on a line: the grey level is a * x + b, so mean, deviation and
    /// Laplacian are taken on the tensor itself, a vector at a time, and scaled at the end.
    /// </summary>
    private static InputStatistics MeasureGrey(ReadOnlySpan<float> tensor, InputSpec input)
    {
        int width = input.Width, height = input.Height;
        var rows = tensor.Length / width;
        double sum = 0, squares = 0, laplacian = 0;
        long interior = 0;
        for (var r = 0; r < rows; r++)
        {
            var row = tensor.Slice(r * width, width);
            var (rowSum, rowSquares) = SumAndSquares(row);
            sum += rowSum;
            squares += rowSquares;

            // Rows at a tile's top or bottom edge have no Laplacian.
            var y = r % height;
            if (y > 0 && y < height - 1)
            {
                laplacian += AbsoluteLaplacian(tensor.Slice((r - 1) * width, width), row, tensor.Slice((r + 1) * width, width));
                interior += width - 2;
            }
        }

        var std = input.Std.Length > 0 ? input.Std[0] : 1;
        var mean = input.Mean.Length > 0 ? input.Mean[0] : 0;
        var a = (double)std / input.Scale;
        var b = (double)mean / input.Scale;
        var average = sum / tensor.Length;
        var deviation = Math.Sqrt(Math.Max(0, (squares / tensor.Length) - (average * average)));
        return new InputStatistics((float)((a * average) + b), (float)(Math.Abs(a) * deviation), interior == 0 ? 0 : (float)(Math.Abs(a) * laplacian / interior));
    }

    private static (double Sum, double Squares) SumAndSquares(ReadOnlySpan<float> row)
    {
        var sums = Vector<float>.Zero;
        var squares = Vector<float>.Zero;
        var x = 0;
        for (; x <= row.Length - Vector<float>.Count; x += Vector<float>.Count)
        {
            var v = new Vector<float>(row[x..]);
            sums += v;
            squares += v * v;
        }

        double sum = Vector.Sum(sums), square = Vector.Sum(squares);
        for (; x < row.Length; x++)
        {
            sum += row[x];
            square += row[x] * row[x];
        }

        return (sum, square);
    }

    private static double AbsoluteLaplacian(ReadOnlySpan<float> up, ReadOnlySpan<float> row, ReadOnlySpan<float> down)
    {
        var four = new Vector<float>(4);
        var sums = Vector<float>.Zero;
        var x = 1;
        for (; x <= row.Length - 1 - Vector<float>.Count; x += Vector<float>.Count)
        {
            var lap = (four * new Vector<float>(row[x..])) - new Vector<float>(row[(x - 1)..]) - new Vector<float>(row[(x + 1)..]) - new Vector<float>(up[x..]) - new Vector<float>(down[x..]);
            sums += Vector.Abs(lap);
        }

        double sum = Vector.Sum(sums);
        for (; x < row.Length - 1; x++)
        {
            sum += Math.Abs((4 * row[x]) - row[x - 1] - row[x + 1] - up[x] - down[x]);
        }

        return sum;
    }
}
