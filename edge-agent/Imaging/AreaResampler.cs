using System.Numerics;
using System.Runtime.InteropServices;

namespace EdgeMl.Agent.Imaging;

/// <summary>
/// Separable area resampling of one 8-bit plane into a float tensor plane, with the model's
/// normalisation folded in: out = mean(box) * multiply + add.
/// </summary>
internal sealed class AreaResampler
{
    private readonly ResampleAxis _x = new();
    private readonly ResampleAxis _y = new();
    private float[] _rows = [];

    public ResampleAxis X => _x;

    public ResampleAxis Y => _y;

    /// <summary>Sets the source rectangle (in source pixels, fractional allowed) and the output size.</summary>
    public void Plan(int sourceWidth, int sourceHeight, double left, double top, double width, double height, int outputWidth, int outputHeight)
    {
        _x.Compute(sourceWidth, left, width, outputWidth);
        _y.Compute(sourceHeight, top, height, outputHeight);
        var needed = (_y.SourceEnd - _y.SourceBegin) * outputWidth;
        if (_rows.Length < needed)
        {
            _rows = new float[needed];
        }
    }

    /// <summary>
    /// Resamples <paramref name="source"/> (rows of <paramref name="sourceStride"/> bytes, pixel value at
    /// <c>row * stride + x * pixelStep + offset</c>) into <paramref name="destination"/>, a dense plane of the planned output size.
    /// </summary>
    public void Resample(ReadOnlySpan<byte> source, int sourceStride, int pixelStep, int offset, Span<float> destination, float multiply, float add)
    {
        var width = _x.Outputs;
        var rows = _rows.AsSpan(0, (_y.SourceEnd - _y.SourceBegin) * width);
        HorizontalPass(source, sourceStride, pixelStep, offset, rows);
        VerticalPass(rows, destination, multiply, add);
    }

    private void HorizontalPass(ReadOnlySpan<byte> source, int stride, int step, int offset, Span<float> rows)
    {
        var first = _x.First;
        var count = _x.Count;
        var weights = _x.Weights;
        var taps = _x.Taps;
        var width = _x.Outputs;
        for (var y = _y.SourceBegin; y < _y.SourceEnd; y++)
        {
            var line = source.Slice(y * stride);
            var output = rows.Slice((y - _y.SourceBegin) * width, width);
            for (var j = 0; j < width; j++)
            {
                var w = weights.Slice(j * taps, count[j]);
                var index = (first[j] * step) + offset;
                var sum = 0f;
                for (var k = 0; k < w.Length; k++, index += step)
                {
                    sum += w[k] * line[index];
                }

                output[j] = sum;
            }
        }
    }

    private void VerticalPass(ReadOnlySpan<float> rows, Span<float> destination, float multiply, float add)
    {
        var first = _y.First;
        var count = _y.Count;
        var weights = _y.Weights;
        var taps = _y.Taps;
        var width = _x.Outputs;
        var vectorWidth = Vector<float>.Count;
        for (var i = 0; i < _y.Outputs; i++)
        {
            var output = destination.Slice(i * width, width);
            var w = weights.Slice(i * taps, count[i]);
            var top = (first[i] - _y.SourceBegin) * width;
            var j = 0;
            var vm = new Vector<float>(multiply);
            var va = new Vector<float>(add);
            var outputVectors = MemoryMarshal.Cast<float, Vector<float>>(output);
            for (var v = 0; v < outputVectors.Length; v++, j += vectorWidth)
            {
                var acc = Vector<float>.Zero;
                for (var k = 0; k < w.Length; k++)
                {
                    acc += new Vector<float>(rows.Slice(top + (k * width) + j, vectorWidth)) * w[k];
                }

                outputVectors[v] = (acc * vm) + va;
            }

            for (; j < width; j++)
            {
                var acc = 0f;
                for (var k = 0; k < w.Length; k++)
                {
                    acc += rows[top + (k * width) + j] * w[k];
                }

                output[j] = (acc * multiply) + add;
            }
        }
    }
}
