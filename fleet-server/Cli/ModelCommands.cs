using System.CommandLine;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>model push|list</c>.</summary>
internal static class ModelCommands
{
    public static Command Create()
    {
        var model = new Command("model", "Model registry");

        var push = new AdminConnection();
        var directory = new Argument<string>("package") { Description = "Package directory (manifest.json + model.onnx)" };
        var pushCommand = push.With(new Command("push", "Upload a model package; the server checks, signs and stores it") { directory });
        push.SetAction(pushCommand, async (client, result, ct) => await ModelUpload.PushDirectoryAsync(client, result.GetRequiredValue(directory), ct), m => Describe((ModelInfo)m));
        model.Subcommands.Add(pushCommand);

        var list = new AdminConnection();
        var listCommand = list.With(new Command("list", "List the registry's model versions"));
        list.SetAction(listCommand, async (client, _, ct) => await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: ct),
            m => string.Join(Environment.NewLine, ((ModelList)m).Models.Select(Describe)));
        model.Subcommands.Add(listCommand);
        return model;
    }

    private static string Describe(ModelInfo m) =>
        $"{m.Name}:{m.Version}  sequence {m.Sequence}  model sha256 {m.ModelSha256[..12]}  bundle {m.BundleSize} bytes  pushed {DateTimeOffset.FromUnixTimeMilliseconds(m.PushedAtUnixMs):u} by {m.PushedBy}";
}
