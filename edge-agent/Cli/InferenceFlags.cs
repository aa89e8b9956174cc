using System.CommandLine;
using System.Globalization;
using EdgeMl.Agent.Configuration;
using EdgeMl.Agent.Decisions;
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

    public Option<AutomationLevel?> Automation { get; } = new("--automation") { Description = "Who decides: human, shadow, assist, partial (default: the model when confident) or full" };

    public Option<double?> AuditShare { get; } = new("--audit-share") { Description = "Share of automatic decisions also sent to a person, 0-1 (default 0.02)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Input);
        command.Options.Add(ExecutionProvider);
        command.Options.Add(Workers);
        command.Options.Add(IntraOpThreads);
        command.Options.Add(Automation);
        command.Options.Add(AuditShare);
    }

    /// <summary>Loads the package named by --model, ready to score, on the configured provider, with this device's decision settings (checked first).</summary>
    public ModelHolder LoadModel(ParseResult result, InferenceOptions options, ILoggerFactory loggers)
    {
        var decisions = AgentConfiguration.Decisions(new Dictionary<string, string?>
        {
            [$"{DecisionOptions.Section}:{nameof(DecisionOptions.Automation)}"] = result.GetValue(Automation)?.ToString(),
            [$"{DecisionOptions.Section}:{nameof(DecisionOptions.AuditShare)}"] = result.GetValue(AuditShare)?.ToString(CultureInfo.InvariantCulture),
        });
        SettingsProblems.ThrowIfAny(decisions.Validate());

        return new(new ModelLoader(options, loggers.CreateLogger<ModelLoader>()).Load(result.GetRequiredValue(Model)), decisions, TimeProvider.System);
    }

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
