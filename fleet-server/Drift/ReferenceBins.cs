using EdgeMl.Contracts.Packaging;
using EdgeMl.Contracts.Telemetry;

namespace EdgeMl.Fleet.Drift;

/// <summary>
/// The bins of one statistic in a manifest's reference (train.py's edges, values outside them clipped into the end
/// bins) and the reference counts. A device's histogram folds onto them exactly when its layout refines the edges:
/// every bucket lies inside one bin, or wholly beyond an end edge.
/// </summary>
internal sealed class ReferenceBins
{
    private readonly double[] _edges;

    private ReferenceBins(double[] edges, double[] counts)
    {
        _edges = edges;
        Counts = counts;
    }

    public double[] Counts { get; }

    public int Count => Counts.Length;

    /// <summary>The reference, or null when the manifest's histogram cannot be used (fewer than two bins, edges not increasing, counts that do not match).</summary>
    public static ReferenceBins? From(HistogramSpec? spec)
    {
        if (spec is null || spec.Edges.Length < 3 || spec.Counts.Length != spec.Edges.Length - 1
            || spec.Edges.Zip(spec.Edges.Skip(1)).Any(p => !(p.Second > p.First)) || spec.Counts.Any(c => c < 0))
        {
            return null;
        }

        return new ReferenceBins(spec.Edges, [.. spec.Counts.Select(c => (double)c)]);
    }

    /// <summary>The histogram's counts per reference bin; null when a bucket straddles an inner edge (the layout does not refine the bins).</summary>
    public double[]? Fold(Histogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        var layout = histogram.Layout;
        var folded = new double[Count];
        var counts = histogram.Counts;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }

            var bin = BinOf(i == 0 ? double.NegativeInfinity : layout.UpperBound(i - 1), layout.UpperBound(i), layout);
            if (bin < 0)
            {
                return null;
            }

            folded[bin] += counts[i];
        }

        return folded;
    }

    private int BinOf(double lower, double upper, BucketLayout layout)
    {
        // Bounds computed as min + i * step land a rounding error off an edge they equal.
        var tolerance = 1e-9 * (layout.Max - layout.Min);
        if (upper <= _edges[1] + tolerance)
        {
            return 0;
        }

        if (lower >= _edges[^2] - tolerance)
        {
            return Count - 1;
        }

        for (var bin = 1; bin < Count - 1; bin++)
        {
            if (lower >= _edges[bin] - tolerance && upper <= _edges[bin + 1] + tolerance)
            {
                return bin;
            }
        }

        return -1;
    }
}
