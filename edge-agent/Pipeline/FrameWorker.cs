using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Imaging;
using EdgeMl.Agent.Inference;
using Microsoft.ML.OnnxRuntime;

namespace EdgeMl.Agent.Pipeline;

/// <summary>Scores one frame start to end (decode, preprocess, infer, decide) with buffers of its own.</summary>
internal sealed class FrameWorker : IDisposable
{
    private readonly LoadedModel _model;
    private readonly DecisionPolicy _policy;
    private readonly FramePreprocessor _preprocessor;
    private readonly InferenceBuffers _buffers;
    private readonly TimeProvider _time;

    public FrameWorker(LoadedModel model, TimeProvider time)
    {
        _model = model;
        _time = time;
        _policy = new DecisionPolicy(model.Manifest);
        _preprocessor = new FramePreprocessor(model.Manifest.Input);
        _buffers = model.CreateBuffers();
    }

    public InferenceBuffers Buffers => _buffers;

    public void Process(FrameSlot slot)
    {
        if (slot.Error is not null)
        {
            slot.Verdict = new Verdict(-1, 0, Decision.Error);
            return;
        }

        var start = _time.GetTimestamp();
        slot.Error = _preprocessor.Preprocess(slot.Encoded, _buffers.Input);
        var decoded = _time.GetTimestamp();
        slot.DecodeTicks = decoded - start;
        if (slot.Error is not null)
        {
            slot.Verdict = new Verdict(-1, 0, Decision.Error);
            return;
        }

        try
        {
            _model.Score(_buffers, slot.Probabilities);
            slot.Verdict = _policy.Decide(slot.Probabilities);
        }
        catch (OnnxRuntimeException e)
        {
            slot.Error = $"inference failed: {e.Message}";
            slot.Verdict = new Verdict(-1, 0, Decision.Error);
        }

        slot.InferenceTicks = _time.GetTimestamp() - decoded;
    }

    public void Dispose() => _buffers.Dispose();
}
