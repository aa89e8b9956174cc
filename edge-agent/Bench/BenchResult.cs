using System.Text.Json.Serialization;

namespace EdgeMl.Agent.Bench;

/// <summary>The figures of one benchmark run; the JSON names are the contract of <c>bench --json</c>. A figure that could not be measured (no frames, no elapsed time) is null.</summary>
internal sealed record BenchResult
{
    [JsonPropertyName("raw_ort_ips")]
    public double? RawOrtIps { get; init; }

    [JsonPropertyName("naive_ips")]
    public double? NaiveIps { get; init; }

    [JsonPropertyName("agent_ips")]
    public double? AgentIps { get; init; }

    [JsonPropertyName("p50_ms")]
    public double? P50Ms { get; init; }

    [JsonPropertyName("p95_ms")]
    public double? P95Ms { get; init; }

    [JsonPropertyName("p99_ms")]
    public double? P99Ms { get; init; }

    [JsonPropertyName("decode_ms")]
    public double? DecodeMs { get; init; }

    [JsonPropertyName("inference_ms")]
    public double? InferenceMs { get; init; }

    [JsonPropertyName("outside_share")]
    public double? OutsideShare { get; init; }

    [JsonPropertyName("peak_rss_mb")]
    public double? PeakRssMb { get; init; }

    [JsonPropertyName("execution_provider")]
    public string ExecutionProvider { get; init; } = "";

    [JsonPropertyName("agent_frames")]
    public long AgentFrames { get; init; }

    [JsonPropertyName("agent_errors")]
    public long AgentErrors { get; init; }

    [JsonPropertyName("alloc_bytes_per_frame")]
    public double? AllocatedBytesPerFrame { get; init; }

    /// <summary>Frames/s of the agent pipeline while heatmaps are made for its escalated and audited frames.</summary>
    [JsonPropertyName("heatmap_frames_ips")]
    public double? HeatmapFramesIps { get; init; }

    [JsonPropertyName("heatmaps_per_s")]
    public double? HeatmapsPerSecond { get; init; }

    /// <summary>Cost of one heatmap (the occlusion runs or the map run, and the PNG), on the explainer's own session.</summary>
    [JsonPropertyName("heatmap_ms")]
    public double? HeatmapMs { get; init; }

    /// <summary>Frames dropped unexplained because heatmaps fell behind (the queue drops its oldest).</summary>
    [JsonPropertyName("heatmaps_dropped")]
    public long HeatmapsDropped { get; init; }

    /// <summary>Frames/s of decoding alone, with the agent's library at the agent's DCT scale, all workers: the decoder's limit.</summary>
    [JsonPropertyName("decode_limit_ips")]
    public double? DecodeLimitIps { get; init; }

    /// <summary>Frames/s of decoding and inference back to back with nothing else: the most the agent pipeline could reach.</summary>
    [JsonPropertyName("decode_inference_limit_ips")]
    public double? DecodeInferenceLimitIps { get; init; }

    /// <summary>The agent's frames/s over (f)'s in each paired round: the limit, then the agent, back to back.</summary>
    [JsonPropertyName("limit_shares")]
    public IReadOnlyList<double?> LimitShares { get; init; } = [];

    /// <summary>The median of <see cref="LimitShares"/> (null when a round measured nothing).</summary>
    [JsonIgnore]
    public double? LimitShareMedian =>
        LimitShares.Count == 0 || LimitShares.Any(s => s is null) ? null : LimitShares.Order().ElementAt(LimitShares.Count / 2);

    [JsonPropertyName("jpeg_decoder")]
    public string JpegDecoder { get; init; } = "";

    /// <summary>The DCT scale the benchmark's frames decode at for this model (1/1, 1/2, 1/4, 1/8).</summary>
    [JsonPropertyName("decode_scale")]
    public string DecodeScale { get; init; } = "";

    [JsonPropertyName("workers")]
    public int Workers { get; init; }

    [JsonPropertyName("model")]
    public string Model { get; init; } = "";

    [JsonPropertyName("frame_size")]
    public string FrameSize { get; init; } = "";
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(BenchResult))]
internal sealed partial class BenchJson : JsonSerializerContext;
