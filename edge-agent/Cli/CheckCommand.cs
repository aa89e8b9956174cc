using System.CommandLine;
using System.Globalization;
using EdgeMl.Agent.Configuration;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Pipeline;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Cli;

/// <summary><c>check</c>: scores sample frames on every execution provider and on the CPU, and fails when a provider strays from the CPU.</summary>
internal static class CheckCommand
{
    /// <summary>Exit code when a provider's probabilities differ from the CPU's by more than the tolerance.</summary>
    public const int Disagrees = 1;

    private const int MaxFrames = 32;

    public static Command Create()
    {
        var flags = new InferenceFlags();
        var tolerance = new Option<double?>("--tolerance") { Description = "Largest difference in any label's probability allowed against the CPU (default 0.01, Inference:CrossCheckTolerance)" };
        var command = new Command("check", "Score sample frames on every execution provider and on the CPU; exit 1 when they disagree");
        command.Options.Add(flags.Model);
        command.Options.Add(flags.Input);
        command.Options.Add(tolerance);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(async _ =>
        {
            var options = AgentConfiguration.Inference(new Dictionary<string, string?>
            {
                [$"{InferenceOptions.Section}:{nameof(InferenceOptions.CrossCheckTolerance)}"] = result.GetValue(tolerance)?.ToString(CultureInfo.InvariantCulture),
            });
            SettingsProblems.ThrowIfAny(options.Validate());

            var package = ModelPackage.Load(result.GetRequiredValue(flags.Model));
            options.ExecutionProvider = ExecutionProviderKind.Cpu;
            using var cpu = LoadedModel.LoadUnchecked(package, options);
            var input = result.GetRequiredValue(flags.Input);
            var frames = await ReadFramesAsync(cpu, input, cancellationToken);
            await Console.Out.WriteLineAsync($"{package.Manifest.Id}: reference cpu, {frames.Count} frames from {input}");
            var disagrees = false;
            foreach (var (kind, name) in new[] { (ExecutionProviderKind.Cuda, SessionFactory.Cuda) })
            {
                options.ExecutionProvider = kind;
                LoadedModel candidate;
                try
                {
                    candidate = LoadedModel.LoadUnchecked(package, options);
                }
                catch (ExecutionProviderUnavailableException e)
                {
                    await Console.Out.WriteLineAsync($"{name,-5} not available: {e.Message}");
                    continue;
                }

                using (candidate)
                using (var reference = new ModelScorer(cpu))
                using (var scorer = new ModelScorer(candidate))
                {
                    var check = new ProviderCrossCheck(options.CrossCheckTolerance).Compare(reference.Score, scorer.Score, frames, cpu.Labels.Count);
                    disagrees |= !check.Agrees;
                    await Console.Out.WriteLineAsync(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{name,-5} largest probability difference {check.MaxDifference:F6} over {check.Frames} frames: {(check.Agrees ? "agrees" : "DISAGREES")} (tolerance {options.CrossCheckTolerance})"));
                }
            }

            return disagrees ? Disagrees : 0;
        }));
        return command;
    }

    /// <summary>The first frames of the folder that decode, preprocessed as the agent does; the others are named on stderr.</summary>
    private static async Task<List<float[]>> ReadFramesAsync(LoadedModel model, string folder, CancellationToken cancellationToken)
    {
        var preprocessor = model.CreatePreprocessor();
        var frames = new List<float[]>();
        foreach (var file in new FolderFrameSource(folder).Files)
        {
            if (frames.Count == MaxFrames)
            {
                break;
            }

            var tensor = new float[model.TilesPerFrame * model.TileLength];
            var error = preprocessor.Preprocess(await File.ReadAllBytesAsync(file, cancellationToken), tensor);
            if (error is null)
            {
                frames.Add(tensor);
            }
            else
            {
                await Console.Error.WriteLineAsync($"skipped {Path.GetFileName(file)}: {error}");
            }
        }

        return frames.Count > 0 ? frames : throw new InvalidOperationException($"no frame in '{folder}' could be decoded; give a folder of sample frames (JPEG, PNG, BMP)");
    }
}
