using Microsoft.ML.OnnxRuntime;

namespace EdgeMl.Agent.Inference;

/// <summary>A worker's input and output tensors, pinned once and handed to ONNX Runtime without copies or allocations per frame.</summary>
public sealed class InferenceBuffers : IDisposable
{
    private readonly OrtValue _input;
    private readonly OrtValue _output;

    internal InferenceBuffers(LoadedModel model, OrtIoBinding binding)
    {
        Input = new float[model.TilesPerFrame * model.TileLength];
        Output = new float[model.TilesPerFrame * model.Labels.Count];
        _input = OrtValue.CreateTensorValueFromMemory(Input, Array.ConvertAll(model.InputShape(), d => (long)d));
        _output = OrtValue.CreateTensorValueFromMemory(Output, [model.TilesPerFrame, model.Labels.Count]);
        // Bound once: a run then marshals no names and allocates no outputs.
        Binding = binding;
        Binding.BindInput(model.Manifest.Input.Name, _input);
        Binding.BindOutput(model.Manifest.Output.Name, _output);
    }

    /// <summary>The preprocessed frame: one tensor per tile, in the model's layout.</summary>
    public float[] Input { get; }

    /// <summary>The model's raw scores, one row per tile.</summary>
    public float[] Output { get; }

    internal OrtIoBinding Binding { get; }

    public void Dispose()
    {
        Binding.Dispose();
        _input.Dispose();
        _output.Dispose();
    }
}
