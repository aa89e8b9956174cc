using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Imaging;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Outcomes;

namespace EdgeMl.Agent.Pipeline;

/// <summary>Scores one frame start to end (decode, preprocess, infer, decide) with buffers of its own, for one model set.</summary>
public sealed class FrameWorker : IDisposable
{
    private readonly Scorer _active;
    private readonly DecisionPolicy _policy;
    private readonly LoadedModel? _shadowModel;
    private readonly TimeProvider _time;
    private Scorer? _shadow;

    internal FrameWorker(LoadedModel active, LoadedModel? shadow, DecisionPolicy policy, TimeProvider time)
    {
        _active = new Scorer(active);
        _policy = policy;
        _shadowModel = shadow;
        _time = time;
    }

    /// <summary>Scores <paramref name="slot"/>; any failure of the active model throws and the pipeline makes it the frame's error.</summary>
    internal void Process(FrameSlot slot, ModelSet set)
    {
        slot.ModelId = _active.Model.Manifest.Id;
        slot.ScoredBy = _active.Model;
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

        slot.Input = InputStatistics.Measure(_active.Buffers.Input, _active.Model.Manifest.Input);
        var probabilities = slot.PrepareProbabilities(_active.Model.Labels.Count);
        _active.Model.Score(_active.Buffers, probabilities);
        slot.Verdict = _policy.Decide(probabilities, slot.Id);
        slot.InferenceTicks = _time.GetTimestamp() - decoded;
        if (_shadowModel is not null)
        {
            RunShadow(slot, set, _shadowModel);
        }
    }

    /// <summary>
    /// The shadow model sees the same frame; only whether it agrees is kept, decisions stay with the
    /// active model. A shadow that fails costs the frame nothing: it counts as a shadow error.
    /// </summary>
    private void RunShadow(FrameSlot slot, ModelSet set, LoadedModel model)
    {
        try
        {
            var shadow = _shadow ??= new Scorer(model);
            if (shadow.Preprocessor.Preprocess(slot.Encoded, shadow.Buffers.Input) is not null)
            {
                set.CountShadow(agreed: false);
                return;
            }

            Span<float> probabilities = stackalloc float[shadow.Model.Labels.Count];
            shadow.Model.Score(shadow.Buffers, probabilities);
            var label = shadow.Model.Labels[DecisionPolicy.TopLabel(probabilities)];
            var agreed = label == _active.Model.Labels[DecisionPolicy.TopLabel(slot.Probabilities)];
            set.CountShadow(agreed);
            slot.Shadow = new ShadowResult(new ModelVersionId(model.Manifest.Name, model.Manifest.Version), label, agreed);
        }
        catch (Exception)
        {
            // Whatever the shadow throws, the active decision stands; the failure is counted for the rollout's gate.
            set.CountShadowError();
        }
    }

    public void Dispose()
    {
        _active.Buffers.Dispose();
        _shadow?.Buffers.Dispose();
    }

    private sealed class Scorer(LoadedModel model)
    {
        public LoadedModel Model { get; } = model;

        public FramePreprocessor Preprocessor { get; } = model.CreatePreprocessor();

        public InferenceBuffers Buffers { get; } = model.CreateBuffers();
    }
}
