using System.CommandLine;
using EdgeMl.Agent.Batch;
using EdgeMl.Agent.Inference;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Cli;

/// <summary><c>infer</c>: the batch mode, one row per file to CSV or SQLite.</summary>
internal static class InferCommand
{
    public static Command Create()
    {
        var flags = new InferenceFlags();
        var output = new Option<string>("--out") { Description = "Result file: .csv, or .db/.sqlite for a SQLite table 'scores'", Required = true };
        var command = new Command("infer", "Score every image in a folder and write one row per file");
        flags.AddTo(command);
        command.Options.Add(output);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(async loggers =>
        {
            var options = flags.Bind(result);
            using var models = flags.LoadModel(result, options, loggers);
            var summary = await new BatchScorer(models, options.Workers)
                .ScoreAsync(result.GetRequiredValue(flags.Input), result.GetRequiredValue(output), cancellationToken);
            var model = models.Current!.Active;
            await Console.Error.WriteLineAsync(
                $"scored {summary.Files} files with {model.Manifest.Id} on {model.Provider.Provider}: {summary.Auto} auto, {summary.Escalated} escalated, {summary.Errors} errors -> {result.GetValue(output)}");
            return 0;
        }));
        return command;
    }
}
