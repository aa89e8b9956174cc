using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeMl.Agent.Imaging;

/// <summary>
/// Separable area resampling of one 8-bit plane into a float tensor plane, with the model's
/// normalisation folded in: out = mean(box) * multiply + add. Row by row: the vertical box of one output
/// row is summed over the source columns it reads (bytes widened to floats in vectors), then each output
/// pixel weighs its few columns. Both passes run over one row buffer that stays in cache, so resampling
/// costs a fraction of the decode it follows.
/// </summary>
internal sealed class AreaResampler
{
    private readonly ResampleAxis _x = new();
    private readonly ResampleAxis _y = new();
    private float[] _columns = [];

    /// <summary>Sets the source rectangle (in source pixels, fractional allowed) and the output size.</summary>
    public void Plan(int sourceWidth, int sourceHeight, double left, double top, double width, double height, int outputWidth, int outputHeight)
    {
        _x.Compute(sourceWidth, left, width, outputWidth);
        _y.Compute(sourceHeight, top, height, outputHeight);
        // Past the last column read, as many zeros as taps: an edge pixel's unused taps (weight 0) read there.
        var needed = _x.SourceEnd - _x.SourceBegin + _x.Taps;
        if (_columns.Length < needed)
        {
            _columns = new float[needed];
        }
    }

    /// <summary>
    /// Resamples <paramref name="source"/> (rows of <paramref name="sourceStride"/> bytes, pixel value at
    /// <c>row * stride + x * pixelStep + offset</c>) into <paramref name="destination"/>, a dense plane of the planned output size.
    /// </summary>
    public void Resample(ReadOnlySpan<byte> source, int sourceStride, int pixelStep, int offset, Span<float> destination, float multiply, float add)
    {
        var width = _x.Outputs;
        var columns = _columns.AsSpan(0, _x.SourceEnd - _x.SourceBegin + _x.Taps);
        var first = _y.First;
        var count = _y.Count;
        var weights = _y.Weights;
        var taps = _y.Taps;
        for (var i = 0; i < _y.Outputs; i++)
        {
            columns.Clear();
            var w = weights.Slice(i * taps, count[i]);
            for (var k = 0; k < w.Length; k++)
            {
                var line = source.Slice(((first[i] + k) * sourceStride) + (_x.SourceBegin * pixelStep) + offset);
                AddRow(line, pixelStep, w[k], columns[..(_x.SourceEnd - _x.SourceBegin)]);
            }

            var output = destination.Slice(i * width, width);
            if (_x.IsIdentity)
            {
                Normalise(columns[..width], output, multiply, add);
            }
            else
            {
                HorizontalPass(columns, output, multiply, add);
            }
        }
    }

    /// <summary>columns[x] += weight * line[x * step]; for dense luma a vector of bytes at a time.</summary>
    private static void AddRow(ReadOnlySpan<byte> line, int step, float weight, Span<float> columns)
    {
        var x = 0;
        if (step == 1)
        {
            var lanes = Vector<byte>.Count;
            var vw = new Vector<float>(weight);
            for (; x <= columns.Length - lanes; x += lanes)
            {
                // One vector of bytes widens into exactly four vectors of floats.
                Vector.Widen(new Vector<byte>(line.Slice(x, lanes)), out var low, out var high);
                Vector.Widen(low, out var a, out var b);
                Vector.Widen(high, out var c, out var d);
                var sums = MemoryMarshal.Cast<float, Vector<float>>(columns.Slice(x, lanes));
                sums[0] += Vector.ConvertToSingle(a) * vw;
                sums[1] += Vector.ConvertToSingle(b) * vw;
                sums[2] += Vector.ConvertToSingle(c) * vw;
                sums[3] += Vector.ConvertToSingle(d) * vw;
            }
        }

        for (; x < columns.Length; x++)
        {
            columns[x] += weight * line[x * step];
        }
    }

    /// <summary>Each output pixel weighs its columns; every output has <see cref="ResampleAxis.Taps"/> weights (zero past its own), so the loop has no per-pixel count.</summary>
    private void HorizontalPass(ReadOnlySpan<float> columns, Span<float> output, float multiply, float add)
    {
        var first = _x.First;
        var weights = _x.Weights;
        var taps = _x.Taps;
        var begin = _x.SourceBegin;
        ref var column = ref MemoryMarshal.GetReference(columns);
        ref var weight = ref MemoryMarshal.GetReference(weights);
        // The column buffer carries Taps zeros past the last column read (Plan), so first[j] - begin + taps never passes its end.
        switch (taps)
        {
            case 2:
                for (var j = 0; j < output.Length; j++)
                {
                    ref var c = ref Unsafe.Add(ref column, first[j] - begin);
                    ref var w = ref Unsafe.Add(ref weight, j * 2);
                    output[j] = (((w * c) + (Unsafe.Add(ref w, 1) * Unsafe.Add(ref c, 1))) * multiply) + add;
                }

                break;
            case 3:
                for (var j = 0; j < output.Length; j++)
                {
                    ref var c = ref Unsafe.Add(ref column, first[j] - begin);
                    ref var w = ref Unsafe.Add(ref weight, j * 3);
                    output[j] = (((w * c) + (Unsafe.Add(ref w, 1) * Unsafe.Add(ref c, 1)) + (Unsafe.Add(ref w, 2) * Unsafe.Add(ref c, 2))) * multiply) + add;
                }

                break;
            default:
                for (var j = 0; j < output.Length; j++)
                {
                    var c = columns.Slice(first[j] - begin, taps);
                    var w = weights.Slice(j * taps, taps);
                    var sum = 0f;
                    for (var k = 0; k < taps; k++)
                    {
                        sum += w[k] * c[k];
                    }

                    output[j] = (sum * multiply) + add;
                }

                break;
        }
    }

    private static void Normalise(ReadOnlySpan<float> columns, Span<float> output, float multiply, float add)
    {
        var vm = new Vector<float>(multiply);
        var va = new Vector<float>(add);
        var x = 0;
        for (; x <= output.Length - Vector<float>.Count; x += Vector<float>.Count)
        {
            ((new Vector<float>(columns.Slice(x)) * vm) + va).CopyTo(output.Slice(x));
        }

        for (; x < output.Length; x++)
        {
            output[x] = (columns[x] * multiply) + add;
        }
    }
}
