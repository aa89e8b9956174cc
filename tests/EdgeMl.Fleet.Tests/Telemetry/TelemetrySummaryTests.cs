using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Tests.Telemetry;

public sealed class TelemetrySummaryTests
{
    [Fact]
    public void Merges_counts_and_histograms_exactly_across_devices_and_windows()
    {
        var fast = Aggregate(frames: 100, escalate: 10, error: 1, latencyUs: 5_000, count: 100);
        var slow = Aggregate(frames: 100, escalate: 30, error: 3, latencyUs: 50_000, count: 100);

        var summary = TelemetrySummary.Of([fast, slow]);

        Assert.Equal((200L, 40L, 4L), (summary.Frames, summary.Escalations, summary.Errors));
        Assert.Equal(0.2, summary.EscalationRate, 6);
        Assert.Equal(0.02, summary.ErrorRate, 6);
        Assert.InRange(summary.LatencyMs(0.25), 5, 5 * 1.1);
        Assert.InRange(summary.LatencyMs(0.95), 50, 50 * 1.1);
        Assert.Equal(200, summary.EndToEndLatencyUs!.Total);
    }

    [Fact]
    public void Shadow_agreement_and_rates_are_unknown_without_frames()
    {
        var empty = TelemetrySummary.Of([]);
        var shadow = TelemetrySummary.Of([new ModelAggregate { Role = ModelRole.Shadow, Frames = 10, Shadow = new ShadowAgreement { Frames = 10, Agreed = 9 } }]);

        Assert.True(double.IsNaN(empty.ErrorRate) && double.IsNaN(empty.Agreement) && double.IsNaN(empty.LatencyMs(0.95)));
        Assert.Equal(0.9, shadow.Agreement, 6);
    }

    private static ModelAggregate Aggregate(ulong frames, ulong escalate, ulong error, double latencyUs, int count)
    {
        var latency = new Histogram(BucketLayout.LatencyMicroseconds);
        for (var i = 0; i < count; i++)
        {
            latency.Record(latencyUs);
        }

        return new ModelAggregate
        {
            Role = ModelRole.Active,
            Frames = frames,
            Decisions = new DecisionCounts { Auto = frames - escalate - error, Escalate = escalate, Error = error },
            EndToEndLatencyUs = latency.ToMessage(),
        };
    }
}
