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

    /// <summary>Most source pixels any output pixel reads.</summary>
    public int Taps { get; private set; }

    /// <summary>Lowest and one past the highest source index read.</summary>
    public int SourceBegin { get; private set; }

    public int SourceEnd { get; private set; }

    public ReadOnlySpan<int> First => _first.AsSpan(0, Outputs);

    public ReadOnlySpan<int> Count => _count.AsSpan(0, Outputs);

    public ReadOnlySpan<float> Weights => _weights.AsSpan(0, Outputs * Taps);

    public void Compute(int sourceSize, double start, double length, int outputs)
    {
        start = Math.Clamp(start, 0, sourceSize);
        length = Math.Clamp(length, double.Epsilon, sourceSize - start);
        var step = length / outputs;
        var taps = (int)Math.Ceiling(step) + 1;
        Grow(outputs, taps);
        Outputs = outputs;
        Taps = taps;
        SourceBegin = int.MaxValue;
        SourceEnd = 0;
        for (var j = 0; j < outputs; j++)
        {
            var a = start + (j * step);
            var b = j == outputs - 1 ? start + length : start + ((j + 1) * step);
            var first = Math.Min((int)Math.Floor(a), sourceSize - 1);
            var last = Math.Min((int)Math.Ceiling(b) - 1, sourceSize - 1);
            last = Math.Max(last, first);
            var row = _weights.AsSpan(j * taps, taps);
            row.Clear();
            var total = 0.0;
            for (var x = first; x <= last; x++)
            {
                total += Math.Max(0, Math.Min(b, x + 1) - Math.Max(a, x));
            }

            for (var x = first; x <= last; x++)
            {
                // Dividing by the covered length (not the step) keeps weights summing to 1 at a clipped edge.
                row[x - first] = (float)(Math.Max(0, Math.Min(b, x + 1) - Math.Max(a, x)) / total);
            }

            _first[j] = first;
            _count[j] = last - first + 1;
            SourceBegin = Math.Min(SourceBegin, first);
            SourceEnd = Math.Max(SourceEnd, last + 1);
        }
    }

    private void Grow(int outputs, int taps)
    {
        if (_first.Length < outputs)
        {
            _first = new int[outputs];
            _count = new int[outputs];
        }

        if (_weights.Length < outputs * taps)
        {
            _weights = new float[outputs * taps];
        }
    }
}
