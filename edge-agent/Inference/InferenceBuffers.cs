using Microsoft.ML.OnnxRuntime;

namespace EdgeMl.Agent.Inference;

/// <summary>A worker's input and output tensors, pinned once and handed to ONNX Runtime without copies or allocations per frame.</summary>
public sealed class InferenceBuffers : IDisposable
{
    private readonly OrtValue _input;
    private readonly OrtValue _output;
    private readonly string _inputName;
    private readonly bool _rebindInput;

    internal InferenceBuffers(LoadedModel model, OrtIoBinding binding, bool onCpu)
    {
        Input = new float[model.TilesPerFrame * model.TileLength];
        Output = new float[model.TilesPerFrame * model.Labels.Count];
        _input = OrtValue.CreateTensorValueFromMemory(Input, Array.ConvertAll(model.InputShape(), d => (long)d));
        _output = OrtValue.CreateTensorValueFromMemory(Output, [model.TilesPerFrame, model.Labels.Count]);
        _inputName = model.Manifest.Input.Name;
        // A session on another device copies a bound host input to the device when it is bound, not
        // when it runs: such a binding must be renewed for every frame or the model scores the first
        // frame forever. On the CPU the bound memory is the input itself, so binding once is enough.
        _rebindInput = !onCpu;
        Binding = binding;
        Binding.BindInput(_inputName, _input);
        Binding.BindOutput(model.Manifest.Output.Name, _output);
    }

    /// <summary>The preprocessed frame: one tensor per tile, in the model's layout.</summary>
    public float[] Input { get; }

    /// <summary>The model's raw scores, one row per tile.</summary>
    public float[] Output { get; }

    internal OrtIoBinding Binding { get; }

    /// <summary>Hands what <see cref="Input"/> holds now to the session; called before every run.</summary>
    internal void PrepareRun()
    {
        if (_rebindInput)
        {
            Binding.BindInput(_inputName, _input);
        }
    }

    public void Dispose()
    {
        Binding.Dispose();
        _input.Dispose();
        _output.Dispose();
    }
}
