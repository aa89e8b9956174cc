using EdgeMl.Fleet.Dashboard;
using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Dashboard;

public sealed class TelemetrySeriesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Buckets_merge_all_devices_of_a_version_so_p95_is_of_all_their_frames()
    {
        var series = TelemetrySeries.Of(
            [
                TestTelemetry.Record("a", "v1", T0.AddSeconds(10), frames: 60, escalations: 6, latencyMs: 5),
                TestTelemetry.Record("b", "v1", T0.AddSeconds(50), frames: 60, escalations: 0, latencyMs: 50),
                TestTelemetry.Record("a", "v1", T0.AddSeconds(70), frames: 120, escalations: 12, latencyMs: 5),
                TestTelemetry.Record("c", "v2", T0.AddSeconds(20), frames: 30, escalations: 3, latencyMs: 8),
            ],
            TimeSpan.FromMinutes(1),
            truncated: false);

        Assert.Equal([("v1", 2), ("v2", 1)], series.Select(s => (s.Version, s.Points.Count)));
        var first = series[0].Points[0];
        Assert.Equal((T0, 120L, 2.0, 0.05), (first.Start, first.Frames, first.FramesPerSecond, first.EscalationRate));
        Assert.InRange(first.P95LatencyMs!.Value, 50, 55);
        Assert.Equal((T0.AddMinutes(1), 0.1), (series[0].Points[1].Start, series[0].Points[1].EscalationRate));
    }

    [Fact]
    public void A_truncated_read_leaves_out_its_oldest_bucket_which_may_be_incomplete()
    {
        var series = TelemetrySeries.Of(
            [
                TestTelemetry.Record("a", "v1", T0.AddSeconds(50), frames: 60, escalations: 0, latencyMs: 5),
                TestTelemetry.Record("a", "v1", T0.AddSeconds(70), frames: 60, escalations: 0, latencyMs: 5),
            ],
            TimeSpan.FromMinutes(1),
            truncated: true);

        Assert.Equal([T0.AddMinutes(1)], series.Single().Points.Select(p => p.Start));
    }

    [Theory]
    [InlineData("10s", 10)]
    [InlineData("5m", 300)]
    [InlineData("24h", 86_400)]
    public void Reads_bucket_lengths(string text, int seconds)
    {
        Assert.True(TelemetrySeries.TryParseBucket(text, out var bucket));
        Assert.Equal(TimeSpan.FromSeconds(seconds), bucket);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("25h")]
    [InlineData("1d")]
    [InlineData("m")]
    public void Refuses_bucket_lengths_outside_one_second_to_a_day(string text) =>
        Assert.False(TelemetrySeries.TryParseBucket(text, out _));
}
