using Microsoft.ML.OnnxRuntime;

namespace EdgeMl.Agent.Inference;

/// <summary>A worker's input and output tensors, pinned once and handed to ONNX Runtime without copies or allocations per frame.</summary>
public sealed class InferenceBuffers : IDisposable
{
    private readonly OrtValue _input;
    private readonly OrtValue _output;

    internal InferenceBuffers(LoadedModel model)
    {
        Input = new float[model.TilesPerFrame * model.TileLength];
        Output = new float[model.TilesPerFrame * model.Labels.Count];
        _input = OrtValue.CreateTensorValueFromMemory(Input, Array.ConvertAll(model.InputShape(), d => (long)d));
        _output = OrtValue.CreateTensorValueFromMemory(Output, [model.TilesPerFrame, model.Labels.Count]);
        Inputs = [_input];
        Outputs = [_output];
    }

    /// <summary>The preprocessed frame: one tensor per tile, in the model's layout.</summary>
    public float[] Input { get; }

    /// <summary>The model's raw scores, one row per tile.</summary>
    public float[] Output { get; }

    internal OrtValue[] Inputs { get; }

    internal OrtValue[] Outputs { get; }

    public void Dispose()
    {
        _input.Dispose();
        _output.Dispose();
    }
}
