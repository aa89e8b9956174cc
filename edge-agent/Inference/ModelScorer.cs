namespace EdgeMl.Agent.Inference;

/// <summary>Scores whole input tensors one after another through the model's real path (buffers, binding, reduction); for checks, not for the frame path.</summary>
internal sealed class ModelScorer(LoadedModel model) : IDisposable
{
    private readonly InferenceBuffers _buffers = model.CreateBuffers();

    public void Score(float[] input, float[] probabilities)
    {
        input.CopyTo(_buffers.Input, 0);
        model.Score(_buffers, probabilities);
    }

    public void Dispose() => _buffers.Dispose();
}
