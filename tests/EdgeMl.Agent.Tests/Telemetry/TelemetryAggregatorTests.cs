using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Outcomes;
using EdgeMl.Agent.Telemetry;
using EdgeMl.Agent.Tests.Outcomes;
using EdgeMl.Contracts.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace EdgeMl.Agent.Tests.Telemetry;

public sealed class TelemetryAggregatorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Sums_an_interval_into_one_aggregate_per_active_and_shadow_model()
    {
        var aggregator = new TelemetryAggregator(_time);
        await aggregator.ConsumeAsync(SampleOutcomes.Scored("f-0", label: 0, shadow: new ShadowResult(SampleOutcomes.V2, "ok", Agreed: true), latencyMs: 4), default);
        await aggregator.ConsumeAsync(SampleOutcomes.Scored("f-1", label: 0, decision: Decision.Audit, shadow: new ShadowResult(SampleOutcomes.V2, "crack", Agreed: false), latencyMs: 8), default);
        await aggregator.ConsumeAsync(SampleOutcomes.Scored("f-2", label: 1, confidence: 0.6f, decision: Decision.Escalate, latencyMs: 40), default);
        await aggregator.ConsumeAsync(SampleOutcomes.Failed("f-3"), default);
        var start = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(10));

        var aggregates = aggregator.CloseWindow(_time.GetUtcNow(), droppedFrames: 5);

        Assert.Equal(2, aggregates.Count);
        var active = Assert.Single(aggregates, a => a.Role == ModelRole.Active);
        Assert.Equal(("crack-detector", "1.0.0", "cpu", 4UL, 5UL), (active.ModelName, active.ModelVersion, active.ExecutionProvider, active.Frames, active.DroppedFrames));
        Assert.Equal(new Dictionary<string, ulong> { ["ok"] = 2, ["crack"] = 1 }, active.LabelCounts);
        Assert.Equal(new DecisionCounts { Auto = 1, Audit = 1, Escalate = 1, Error = 1 }, active.Decisions);
        Assert.Equal((start, start.AddSeconds(10)), (active.WindowStart.ToDateTimeOffset(), active.WindowEnd.ToDateTimeOffset()));
        var endToEnd = Histogram.FromMessage(active.EndToEndLatencyUs);
        Assert.Equal(4, endToEnd.Total);
        Assert.InRange(endToEnd.Percentile(1), 40_000, 40_000 * Math.Pow(2, 1.0 / 8));
        Assert.Equal(3, Histogram.FromMessage(active.InferenceLatencyUs).Total);
        Assert.Equal(3, Histogram.FromMessage(active.DecodeLatencyUs).Total);
        Assert.Equal(3, Histogram.FromMessage(active.Confidence).Total);
        Assert.Equal(BucketLayout.Probability.IndexOf(0.6), (int)Histogram.FromMessage(active.Confidence).Counts.IndexOfAnyExcept(0L));
        Assert.Equal(3, Histogram.FromMessage(active.Brightness).Total);
        Assert.Null(active.Shadow);

        var shadow = Assert.Single(aggregates, a => a.Role == ModelRole.Shadow);
        Assert.Equal(("2.0.0", 2UL, 0UL), (shadow.ModelVersion, shadow.Frames, shadow.DroppedFrames));
        Assert.Equal(new ShadowAgreement { Frames = 2, Agreed = 1 }, shadow.Shadow);
        Assert.Equal(new Dictionary<string, ulong> { ["ok"] = 1, ["crack"] = 1 }, shadow.LabelCounts);
        Assert.NotEqual(active.MessageId, shadow.MessageId);
    }

    [Fact]
    public async Task Starts_each_interval_empty_and_reports_drops_of_an_idle_one_on_the_last_active_model()
    {
        var aggregator = new TelemetryAggregator(_time);
        await aggregator.ConsumeAsync(SampleOutcomes.Scored("f-0", model: SampleOutcomes.V1), default);
        await aggregator.ConsumeAsync(SampleOutcomes.Scored("f-1", model: SampleOutcomes.V2), default);
        Assert.Equal(2, aggregator.CloseWindow(_time.GetUtcNow(), 0).Count);

        Assert.Empty(aggregator.CloseWindow(_time.GetUtcNow(), 0));

        var idle = Assert.Single(aggregator.CloseWindow(_time.GetUtcNow(), 3));
        Assert.Equal(("2.0.0", 0UL, 3UL), (idle.ModelVersion, idle.Frames, idle.DroppedFrames));
    }
}
