using EdgeMl.Contracts.Telemetry;

namespace EdgeMl.Agent.Tests.Telemetry;

public sealed class HistogramTests
{
    [Fact]
    public void Merging_windows_gives_exactly_the_histogram_of_all_their_values()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 5000).Select(_ => Math.Exp(random.NextDouble() * 14)).ToArray();
        var whole = new Histogram(BucketLayout.LatencyMicroseconds);
        var first = new Histogram(BucketLayout.LatencyMicroseconds);
        var second = new Histogram(BucketLayout.LatencyMicroseconds);
        for (var i = 0; i < values.Length; i++)
        {
            whole.Record(values[i]);
            (i % 3 == 0 ? first : second).Record(values[i]);
        }

        // As on the server: each window arrives as a message.
        var merged = Histogram.FromMessage(first.ToMessage());
        merged.Merge(Histogram.FromMessage(second.ToMessage()));

        Assert.Equal(whole.Counts.ToArray(), merged.Counts.ToArray());
        Assert.Equal(5000, merged.Total);
        Assert.Equal(whole.Percentile(0.95), merged.Percentile(0.95));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.95)]
    [InlineData(0.99)]
    public void A_percentile_is_never_below_the_true_one_and_at_most_one_bucket_above(double fraction)
    {
        var histogram = new Histogram(BucketLayout.LatencyMicroseconds);
        var values = Enumerable.Range(1, 10_000).Select(i => i * 3.7).ToArray();
        foreach (var value in values)
        {
            histogram.Record(value);
        }

        var truth = values[(int)Math.Ceiling(fraction * values.Length) - 1];
        var estimate = histogram.Percentile(fraction);
        Assert.InRange(estimate, truth, truth * Math.Pow(2, 1.0 / 8));
    }

    [Fact]
    public void Values_off_the_scale_fall_in_the_underflow_and_overflow_buckets()
    {
        var latency = BucketLayout.LatencyMicroseconds;
        Assert.Equal(0, latency.IndexOf(0.2));
        Assert.Equal(latency.Count - 1, latency.IndexOf(1e12));
        Assert.Equal(latency.Count - 1, latency.IndexOf(double.NaN));
        Assert.Equal(1, latency.IndexOf(1));

        var probability = BucketLayout.Probability;
        Assert.Equal(probability.Count - 2, probability.IndexOf(1.0));
        Assert.Equal(1, probability.IndexOf(0.0));

        var histogram = new Histogram(latency);
        histogram.Record(1e12);
        Assert.Equal(double.PositiveInfinity, histogram.Percentile(0.5));
        Assert.True(double.IsNaN(new Histogram(latency).Percentile(0.5)));
    }

    [Fact]
    public void A_layout_rebuilt_from_its_id_buckets_every_value_the_same()
    {
        foreach (var layout in new[] { BucketLayout.LatencyMicroseconds, BucketLayout.Probability, BucketLayout.Linear(0, 256, 64) })
        {
            var parsed = BucketLayout.Parse(layout.Id);
            Assert.Equal(layout.Id, parsed.Id);
            Assert.Equal(layout.Count, parsed.Count);
            foreach (var value in new[] { 0.0, 0.004, 0.5, 0.99, 1, 3.3, 255.9, 1e5, 2e8 })
            {
                Assert.Equal(layout.IndexOf(value), parsed.IndexOf(value));
            }
        }
    }

    [Fact]
    public void A_message_leaves_out_the_empty_buckets_at_either_end()
    {
        var histogram = new Histogram(BucketLayout.LatencyMicroseconds);
        histogram.Record(1000);
        histogram.Record(1100);
        histogram.Record(5000);

        var message = histogram.ToMessage();

        Assert.Equal((uint)BucketLayout.LatencyMicroseconds.IndexOf(1000), message.Offset);
        Assert.Equal(BucketLayout.LatencyMicroseconds.IndexOf(5000) - BucketLayout.LatencyMicroseconds.IndexOf(1000) + 1, message.Counts.Count);
        Assert.Equal(histogram.Counts.ToArray(), Histogram.FromMessage(message).Counts.ToArray());
    }

    [Fact]
    public void Refuses_to_merge_histograms_of_different_layouts()
    {
        var latency = new Histogram(BucketLayout.LatencyMicroseconds);
        var error = Assert.Throws<ArgumentException>(() => latency.Merge(new Histogram(BucketLayout.Probability)));
        Assert.Contains(BucketLayout.Probability.Id, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_counts_that_do_not_fit_their_layout()
    {
        var message = new BucketCounts { Layout = BucketLayout.Probability.Id, Offset = 100 };
        message.Counts.Add([1, 2, 3, 4]);
        Assert.Throws<FormatException>(() => Histogram.FromMessage(message));
        Assert.Throws<FormatException>(() => Histogram.FromMessage(new BucketCounts { Layout = "cubic:1:2:3" }));
    }
}
