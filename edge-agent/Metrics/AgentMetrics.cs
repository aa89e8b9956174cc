using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Outcomes;

namespace EdgeMl.Agent.Metrics;

/// <summary>
/// The agent's instruments (meter <see cref="MeterName"/>), fed as an outcome sink: frames by model version and
/// decision, and each frame's end-to-end latency. <see cref="MetricsEndpoint"/> exports them for Prometheus.
/// </summary>
internal sealed class AgentMetrics : IFrameOutcomeSink
{
    public const string MeterName = "EdgeMl.Agent";

    // Seconds, from a fast GPU frame to a stalled one: the SDK's default buckets are meant for milliseconds.
    private static readonly double[] LatencyBuckets = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

    private readonly Counter<long> _frames;
    private readonly Histogram<double> _latency;

    public AgentMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _frames = meter.CreateCounter<long>("edgeml.agent.frames", description: "Frames decided, by model, version and decision");
        _latency = meter.CreateHistogram("edgeml.agent.frame.duration", "s", "End-to-end time of a frame, from memory to verdict", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    public string Name => "metrics";

    // Counting may lose the newest outcomes when the host is starved, never stall anything.
    public FrameOutcomeQueue Queue { get; } = new(4096, BoundedChannelFullMode.DropOldest);

    public ValueTask ConsumeAsync(FrameOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var tags = new TagList
        {
            { "model", outcome.Model?.Name ?? "none" },
            { "version", outcome.Model?.Version ?? "none" },
            { "decision", DecisionName(outcome.Verdict.Decision) },
        };
        _frames.Add(1, tags);
        _latency.Record(outcome.Latencies.EndToEnd.TotalSeconds, tags);
        return ValueTask.CompletedTask;
    }

    // Constant strings, so recording a frame formats nothing.
    private static string DecisionName(Decision decision) => decision switch
    {
        Decision.Auto => "auto",
        Decision.Escalate => "escalate",
        Decision.Audit => "audit",
        _ => "error",
    };
}
