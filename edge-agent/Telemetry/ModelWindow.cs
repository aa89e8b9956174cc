using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Outcomes;
using EdgeMl.Contracts.Telemetry;
using Google.Protobuf.WellKnownTypes;

namespace EdgeMl.Agent.Telemetry;

/// <summary>What one model (in one role) did during the open interval; counts only, so a frame costs no allocation once its labels were seen.</summary>
internal sealed class ModelWindow(ModelRole role, ModelVersionId? model)
{
    private readonly Dictionary<string, long> _labels = new(StringComparer.Ordinal);
    private readonly DecisionCounts _decisions = new();
    private readonly Histogram _decode = new(BucketLayout.LatencyMicroseconds);
    private readonly Histogram _inference = new(BucketLayout.LatencyMicroseconds);
    private readonly Histogram _endToEnd = new(BucketLayout.LatencyMicroseconds);
    private readonly Histogram _confidence = new(BucketLayout.Probability);
    private readonly Histogram _brightness = new(InputLayouts.Brightness);
    private readonly Histogram _contrast = new(InputLayouts.Contrast);
    private readonly Histogram _sharpness = new(InputLayouts.Sharpness);
    private readonly ShadowAgreement _shadow = new();
    private string _provider = "";
    private long _frames;

    public long DroppedFrames { get; set; }

    /// <summary>The frame as the model that decided it saw it.</summary>
    public void RecordActive(FrameOutcome outcome)
    {
        _frames++;
        _provider = outcome.ExecutionProvider;
        if (outcome.TopLabel is { } label)
        {
            CountLabel(label);
            _confidence.Record(outcome.Verdict.Confidence);
        }

        _ = outcome.Verdict.Decision switch
        {
            Decision.Auto => _decisions.Auto++,
            Decision.Escalate => _decisions.Escalate++,
            Decision.Audit => _decisions.Audit++,
            _ => _decisions.Error++,
        };

        if (outcome.Input is not null)
        {
            _decode.Record(outcome.Latencies.Decode.TotalMicroseconds);
        }

        if (!outcome.Probabilities.IsDefaultOrEmpty)
        {
            _inference.Record(outcome.Latencies.Inference.TotalMicroseconds);
        }

        _endToEnd.Record(outcome.Latencies.EndToEnd.TotalMicroseconds);
        if (outcome.Input is { } input)
        {
            _brightness.Record(input.Brightness);
            _contrast.Record(input.Contrast);
            _sharpness.Record(input.Sharpness);
        }
    }

    /// <summary>The same frame as the shadow model saw it: only its top label and whether it agreed are known.</summary>
    public void RecordShadow(FrameOutcome outcome, ShadowResult shadow)
    {
        _frames++;
        _provider = outcome.ExecutionProvider;
        CountLabel(shadow.TopLabel);
        _shadow.Frames++;
        if (shadow.Agreed)
        {
            _shadow.Agreed++;
        }
    }

    public ModelAggregate ToMessage(string messageId, DateTimeOffset start, DateTimeOffset end)
    {
        var message = new ModelAggregate
        {
            MessageId = messageId,
            WindowStart = Timestamp.FromDateTimeOffset(start),
            WindowEnd = Timestamp.FromDateTimeOffset(end),
            Role = role,
            ModelName = model?.Name ?? "",
            ModelVersion = model?.Version ?? "",
            ExecutionProvider = _provider,
            Frames = (ulong)_frames,
            Decisions = _decisions,
            DroppedFrames = (ulong)DroppedFrames,
            DecodeLatencyUs = _decode.ToMessage(),
            InferenceLatencyUs = _inference.ToMessage(),
            EndToEndLatencyUs = _endToEnd.ToMessage(),
            Confidence = _confidence.ToMessage(),
            Brightness = _brightness.ToMessage(),
            Contrast = _contrast.ToMessage(),
            Sharpness = _sharpness.ToMessage(),
            Shadow = role == ModelRole.Shadow ? _shadow : null,
        };
        foreach (var (label, count) in _labels)
        {
            message.LabelCounts.Add(label, (ulong)count);
        }

        return message;
    }

    private void CountLabel(string label) =>
        _labels[label] = _labels.TryGetValue(label, out var count) ? count + 1 : 1;
}
