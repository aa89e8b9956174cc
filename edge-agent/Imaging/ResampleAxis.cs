namespace EdgeMl.Agent.Imaging;

/// <summary>
/// Box-filter weights along one axis: output pixel j averages the source interval
/// [start + j*s, start + (j+1)*s) with s = length/count, each source pixel weighted by its overlap.
/// Unlike point sampling this keeps a 1 px crack as a fainter line instead of dropping it.
/// Buffers grow and are reused, so recomputing for each frame allocates nothing once warm.
/// </summary>
internal sealed class ResampleAxis
{
    private int[] _first = [];
    private int[] _count = [];
    private float[] _weights = [];

    public int Outputs { get; private set; }

    /// <summary>Most source pixels any output pixel reads; each output's weights take this many slots, zero past its own count.</summary>
    public int Taps { get; private set; }

    /// <summary>Lowest and one past the highest source index read.</summary>
    public int SourceBegin { get; private set; }

    public int SourceEnd { get; private set; }

    /// <summary>Output j is source pixel SourceBegin + j, unweighted: a tile already at the model's size.</summary>
    public bool IsIdentity => Taps == 1 && Outputs == SourceEnd - SourceBegin;

    public ReadOnlySpan<int> First => _first.AsSpan(0, Outputs);

    public ReadOnlySpan<int> Count => _count.AsSpan(0, Outputs);

    public ReadOnlySpan<float> Weights => _weights.AsSpan(0, Outputs * Taps);

    public void Compute(int sourceSize, double start, double length, int outputs)
    {
        start = Math.Clamp(start, 0, sourceSize);
        length = Math.Clamp(length, double.Epsilon, sourceSize - start);
        var step = length / outputs;
        if (_first.Length < outputs)
        {
            _first = new int[outputs];
            _count = new int[outputs];
        }

        Outputs = outputs;
        SourceBegin = int.MaxValue;
        SourceEnd = 0;
        var taps = 1;
        for (var j = 0; j < outputs; j++)
        {
            var (a, b) = Interval(start, length, step, j, outputs);
            var first = Math.Min((int)Math.Floor(a), sourceSize - 1);
            var last = Math.Max(Math.Min((int)Math.Ceiling(b) - 1, sourceSize - 1), first);
            _first[j] = first;
            _count[j] = last - first + 1;
            taps = Math.Max(taps, _count[j]);
            SourceBegin = Math.Min(SourceBegin, first);
            SourceEnd = Math.Max(SourceEnd, last + 1);
        }

        // The fewest slots that hold every output's weights: a 1.5x reduction reads 2 pixels, not the 3 a bound would give.
        Taps = taps;
        if (_weights.Length < outputs * taps)
        {
            _weights = new float[outputs * taps];
        }

        for (var j = 0; j < outputs; j++)
        {
            var (a, b) = Interval(start, length, step, j, outputs);
            var row = _weights.AsSpan(j * taps, taps);
            row.Clear();
            var total = 0.0;
            for (var k = 0; k < _count[j]; k++)
            {
                var x = _first[j] + k;
                total += Math.Max(0, Math.Min(b, x + 1) - Math.Max(a, x));
            }

            for (var k = 0; k < _count[j]; k++)
            {
                var x = _first[j] + k;
                // Dividing by the covered length (not the step) keeps weights summing to 1 at a clipped edge.
                row[k] = (float)(Math.Max(0, Math.Min(b, x + 1) - Math.Max(a, x)) / total);
            }
        }
    }

    private static (double A, double B) Interval(double start, double length, double step, int j, int outputs) =>
        (start + (j * step), j == outputs - 1 ? start + length : start + ((j + 1) * step));
}
