using System.Globalization;

namespace EdgeMl.Contracts.Telemetry;

/// <summary>
/// Fixed bucket boundaries shared by every device and window, so histograms merge exactly by adding
/// counts. Bucket 0 holds values below <see cref="Min"/>, the last bucket values above
/// <see cref="Max"/> (and NaN); the layout is fully described by its <see cref="Id"/>, which travels with the counts.
/// </summary>
public sealed class BucketLayout
{
    private const string LogKind = "log2";
    private const string LinearKind = "linear";

    private readonly bool _log;
    private readonly int _regular;
    private readonly double _step;

    private BucketLayout(bool log, double min, double max, int divisions)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min >= max || (log && min <= 0) || divisions < 1)
        {
            throw new ArgumentException($"no bucket layout from {min} to {max} in {divisions} divisions: needs finite bounds, min < max (min > 0 on a log scale), at least one division");
        }

        _log = log;
        Min = min;
        Max = max;
        Divisions = divisions;
        _regular = log ? (int)Math.Ceiling(Math.Log2(max / min) * divisions) : divisions;
        _step = log ? divisions : (max - min) / divisions;
        Id = string.Join(':', log ? LogKind : LinearKind, min.ToString("R", CultureInfo.InvariantCulture), max.ToString("R", CultureInfo.InvariantCulture), divisions.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Latencies in microseconds, 1 µs to about 134 s, 8 buckets per doubling (each bucket about 9 % wide).</summary>
    public static BucketLayout LatencyMicroseconds { get; } = Log2(1, 1 << 27, 8);

    /// <summary>Probabilities, in steps of 0.01; 1.0 falls in the last regular bucket.</summary>
    public static BucketLayout Probability { get; } = Linear(0, 1, 100);

    public string Id { get; }

    public double Min { get; }

    public double Max { get; }

    /// <summary>Buckets per doubling on a log scale, regular buckets on a linear one.</summary>
    public int Divisions { get; }

    /// <summary>All buckets, the underflow and overflow buckets included.</summary>
    public int Count => _regular + 2;

    /// <summary>Buckets from <paramref name="min"/> (more than 0) to <paramref name="max"/>, each <paramref name="bucketsPerDoubling"/>-th of a doubling wide.</summary>
    public static BucketLayout Log2(double min, double max, int bucketsPerDoubling) => new(true, min, max, bucketsPerDoubling);

    /// <summary><paramref name="buckets"/> equal buckets from <paramref name="min"/> to <paramref name="max"/>; <paramref name="max"/> itself falls in the last.</summary>
    public static BucketLayout Linear(double min, double max, int buckets) => new(false, min, max, buckets);

    /// <summary>The layout an <see cref="Id"/> names.</summary>
    public static BucketLayout Parse(string id)
    {
        var parts = id.Split(':');
        if (parts.Length != 4
            || parts[0] is not (LogKind or LinearKind)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var min)
            || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var max)
            || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var divisions))
        {
            throw new FormatException($"'{id}' is not a bucket layout; expected log2:<min>:<max>:<per doubling> or linear:<min>:<max>:<buckets>");
        }

        return new BucketLayout(parts[0] == LogKind, min, max, divisions);
    }

    public int IndexOf(double value)
    {
        if (value < Min)
        {
            return 0;
        }

        if (double.IsNaN(value) || value > Max || (_log && value == Max))
        {
            return _regular + 1;
        }

        var offset = _log ? Math.Log2(value / Min) * _step : (value - Min) / _step;
        return 1 + Math.Min(_regular - 1, (int)offset);
    }

    /// <summary>The largest value bucket <paramref name="index"/> can hold: <see cref="Min"/> for the underflow bucket, infinity for the overflow bucket.</summary>
    public double UpperBound(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        if (index == 0)
        {
            return Min;
        }

        if (index > _regular)
        {
            return double.PositiveInfinity;
        }

        var bound = _log ? Min * Math.Pow(2, index / _step) : Min + (index * _step);
        return Math.Min(bound, Max);
    }
}
