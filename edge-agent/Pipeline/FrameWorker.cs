using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Imaging;
using EdgeMl.Agent.Inference;
using Microsoft.ML.OnnxRuntime;

namespace EdgeMl.Agent.Pipeline;

/// <summary>Scores one frame start to end (decode, preprocess, infer, decide) with buffers of its own, for one model set.</summary>
public sealed class FrameWorker : IDisposable
{
    private readonly Scorer _active;
    private readonly Scorer? _shadow;
    private readonly TimeProvider _time;

    internal FrameWorker(LoadedModel active, LoadedModel? shadow, TimeProvider time)
    {
        _active = new Scorer(active);
        _shadow = shadow is null ? null : new Scorer(shadow);
        _time = time;
    }

    internal void Process(FrameSlot slot, ModelSet set)
    {
        slot.ModelId = _active.Model.Manifest.Id;
        if (slot.Error is not null)
        {
            slot.Verdict = new Verdict(-1, 0, Decision.Error);
            return;
        }

        var start = _time.GetTimestamp();
        slot.Error = _active.Preprocessor.Preprocess(slot.Encoded, _active.Buffers.Input);
        var decoded = _time.GetTimestamp();
        slot.DecodeTicks = decoded - start;
        if (slot.Error is not null)
        {
            slot.Verdict = new Verdict(-1, 0, Decision.Error);
            return;
        }

        try
        {
            var probabilities = slot.PrepareProbabilities(_active.Model.Labels.Count);
            _active.Model.Score(_active.Buffers, probabilities);
            slot.Verdict = _active.Policy.Decide(probabilities);
        }
        catch (OnnxRuntimeException e)
        {
            slot.Error = $"inference failed: {e.Message}";
            slot.Verdict = new Verdict(-1, 0, Decision.Error);
        }

        slot.InferenceTicks = _time.GetTimestamp() - decoded;
        if (_shadow is not null && slot.Error is null)
        {
            RunShadow(slot, set);
        }
    }

    /// <summary>The shadow model sees the same frame; only whether it agrees is kept, decisions stay with the active model.</summary>
    private void RunShadow(FrameSlot slot, ModelSet set)
    {
        var shadow = _shadow!;
        if (shadow.Preprocessor.Preprocess(slot.Encoded, shadow.Buffers.Input) is not null)
        {
            set.CountShadow(agreed: false);
            return;
        }

        Span<float> probabilities = stackalloc float[shadow.Model.Labels.Count];
        shadow.Model.Score(shadow.Buffers, probabilities);
        var verdict = shadow.Policy.Decide(probabilities);
        set.CountShadow(shadow.Model.Labels[verdict.Label] == _active.Model.Labels[slot.Verdict.Label]);
    }

    public void Dispose()
    {
        _active.Buffers.Dispose();
        _shadow?.Buffers.Dispose();
    }

    private sealed class Scorer(LoadedModel model)
    {
        public LoadedModel Model { get; } = model;

        public DecisionPolicy Policy { get; } = new(model.Manifest);

        public FramePreprocessor Preprocessor { get; } = new(model.Manifest.Input);

        public InferenceBuffers Buffers { get; } = model.CreateBuffers();
    }
}
