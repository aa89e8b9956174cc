namespace EdgeMl.Contracts.Telemetry;

/// <summary>Counts of values in the buckets of a fixed <see cref="BucketLayout"/>; not thread-safe, its owner serialises access.</summary>
public sealed class Histogram
{
    private readonly long[] _counts;

    public Histogram(BucketLayout layout)
    {
        Layout = layout;
        _counts = new long[layout.Count];
    }

    public BucketLayout Layout { get; }

    public long Total { get; private set; }

    public ReadOnlySpan<long> Counts => _counts;

    public void Record(double value)
    {
        _counts[Layout.IndexOf(value)]++;
        Total++;
    }

    /// <summary>Adds <paramref name="other"/>'s counts: the result is what one histogram of both sets of values would hold.</summary>
    public void Merge(Histogram other)
    {
        if (other.Layout.Id != Layout.Id)
        {
            throw new ArgumentException($"a histogram in layout {other.Layout.Id} cannot merge into one in layout {Layout.Id}", nameof(other));
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Total += other.Total;
    }

    /// <summary>
    /// The upper bound of the bucket that holds the value of rank <paramref name="fraction"/>:
    /// never below the true percentile and at most one bucket above it; NaN when empty.
    /// </summary>
    public double Percentile(double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        if (Total == 0)
        {
            return double.NaN;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(fraction * Total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Layout.UpperBound(i);
            }
        }

        return double.PositiveInfinity;
    }

    /// <summary>The counts as they travel: leading and trailing empty buckets left out.</summary>
    public BucketCounts ToMessage()
    {
        var message = new BucketCounts { Layout = Layout.Id };
        var first = Array.FindIndex(_counts, c => c != 0);
        if (first < 0)
        {
            return message;
        }

        var last = Array.FindLastIndex(_counts, c => c != 0);
        message.Offset = (uint)first;
        for (var i = first; i <= last; i++)
        {
            message.Counts.Add((ulong)_counts[i]);
        }

        return message;
    }

    public static Histogram FromMessage(BucketCounts message)
    {
        var histogram = new Histogram(BucketLayout.Parse(message.Layout));
        if (message.Offset + (long)message.Counts.Count > histogram._counts.Length)
        {
            throw new FormatException($"{message.Counts.Count} counts from bucket {message.Offset} do not fit layout {message.Layout} of {histogram._counts.Length} buckets");
        }

        for (var i = 0; i < message.Counts.Count; i++)
        {
            var count = checked((long)message.Counts[i]);
            histogram._counts[message.Offset + i] = count;
            histogram.Total += count;
        }

        return histogram;
    }
}
