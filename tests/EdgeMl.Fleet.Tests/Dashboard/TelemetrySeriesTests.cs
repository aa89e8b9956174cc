using EdgeMl.Fleet.Bench;
using EdgeMl.Fleet.Dashboard;
using EdgeMl.Fleet.Drift;
using EdgeMl.Fleet.Tests.Drift;
using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Dashboard;

public sealed class TelemetrySeriesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<(string Name, string Version), IReadOnlyDictionary<string, ReferenceBins>> NoReferences = [];

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
            truncated: false,
            NoReferences);

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
            truncated: true,
            NoReferences);

        Assert.Equal([T0.AddMinutes(1)], series.Single().Points.Select(p => p.Start));
    }

    [Fact]
    public void Drift_is_each_signals_psi_against_the_versions_reference_and_rises_when_the_frames_darken()
    {
        var manifest = ReferenceBinsTests.Manifest;
        var bins = DriftSignal.All.ToDictionary(s => s.Name, s => ReferenceBins.From(manifest.ReferenceStatistics![s.Name])!, StringComparer.Ordinal);
        var camera = new SimulatedCamera("cam-1", manifest, seed: 1);
        var same = camera.Window(3000, T0.AddSeconds(30), TimeSpan.FromSeconds(30));
        camera.BrightnessOffset = -40;
        var dark = camera.Window(3000, T0.AddSeconds(90), TimeSpan.FromSeconds(30));

        var series = TelemetrySeries.Of(
            [new("cam-1", T0.AddSeconds(30), same), new("cam-1", T0.AddSeconds(90), dark)],
            TimeSpan.FromMinutes(1),
            truncated: false,
            new Dictionary<(string Name, string Version), IReadOnlyDictionary<string, ReferenceBins>> { [(manifest.Name, manifest.Version)] = bins });

        var (before, after) = (series.Single().Points[0], series.Single().Points[1]);
        Assert.Equal(["brightness", "confidence", "contrast", "sharpness"], before.Drift.Keys.Order(StringComparer.Ordinal));
        Assert.True(before.DriftPsi < 0.1, $"unchanged frames drift {before.DriftPsi}");
        Assert.True(after.Drift["brightness"] >= 0.25, $"darkened frames drift {after.Drift["brightness"]}");
        Assert.Equal(after.Drift["brightness"], after.DriftPsi);
    }

    [Fact]
    public void A_version_without_a_reference_has_no_drift_values()
    {
        var point = TelemetrySeries.Of([TestTelemetry.Record("a", "v1", T0.AddSeconds(10), frames: 60, escalations: 6, latencyMs: 5)], TimeSpan.FromMinutes(1), truncated: false, NoReferences)
            .Single().Points.Single();

        Assert.Empty(point.Drift);
        Assert.Null(point.DriftPsi);
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
