using System.CommandLine;
using System.Globalization;
using EdgeMl.Agent.Inference;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Cli;

/// <summary>The flags every scoring command shares, mapped onto <see cref="InferenceOptions"/>.</summary>
internal sealed class InferenceFlags
{
    public Option<string> Model { get; } = new("--model") { Description = "Model package directory (manifest.json + model.onnx)", Required = true };

    public Option<string> Input { get; } = new("--input") { Description = "Folder of frames (JPEG, PNG, BMP)", Required = true };

    public Option<ExecutionProviderKind?> ExecutionProvider { get; } = new("--ep") { Description = "Execution provider: auto (CUDA when available, else CPU), cpu or cuda" };

    public Option<int?> Workers { get; } = new("--workers") { Description = "Frames scored in parallel (default: the number of cores)" };

    public Option<int?> IntraOpThreads { get; } = new("--intra-op-threads") { Description = "Threads inside one model run (default 1)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Input);
        command.Options.Add(ExecutionProvider);
        command.Options.Add(Workers);
        command.Options.Add(IntraOpThreads);
    }

    /// <summary>Loads the package named by --model, ready to score, on the configured provider.</summary>
    public ModelHolder LoadModel(ParseResult result, InferenceOptions options, ILoggerFactory loggers) =>
        new(new ModelLoader(options, loggers.CreateLogger<ModelLoader>()).Load(result.GetRequiredValue(Model)), TimeProvider.System);

    public InferenceOptions Bind(ParseResult result)
    {
        var flags = new Dictionary<string, string?>
        {
            [$"{InferenceOptions.Section}:{nameof(InferenceOptions.ExecutionProvider)}"] = result.GetValue(ExecutionProvider)?.ToString(),
            [$"{InferenceOptions.Section}:{nameof(InferenceOptions.Workers)}"] = result.GetValue(Workers)?.ToString(CultureInfo.InvariantCulture),
            [$"{InferenceOptions.Section}:{nameof(InferenceOptions.IntraOpThreads)}"] = result.GetValue(IntraOpThreads)?.ToString(CultureInfo.InvariantCulture),
        };
        return AgentConfiguration.Inference(flags);
    }
}
