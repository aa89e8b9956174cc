using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Bench;
using EdgeMl.Fleet.Drift;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>bench-drift</c>: simulated cameras through a sudden and a gradual change; detection delay and false alarms of the drift judgement.</summary>
internal static class BenchDriftCommand
{
    public static Command Create()
    {
        var manifest = new Option<string?>("--manifest") { Description = "Manifest whose reference statistics the cameras draw from (default: models/crack-detector/v3/manifest.json of the repository)" };
        var cameras = new Option<int>("--cameras") { Description = "Simulated cameras; half of them change, a third look at a darker or brighter belt from the start", DefaultValueFactory = _ => 40 };
        var windows = new Option<int>("--windows") { Description = "Windows per camera; the change comes after a third of them", DefaultValueFactory = _ => 300 };
        var frames = new Option<int[]>("--frames") { Description = "Frames per window, one run each (below Drift:SmallWindowFrames the KS test decides)", DefaultValueFactory = _ => [3000, 300], AllowMultipleArgumentsPerToken = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the simulation", DefaultValueFactory = _ => 11 };
        var command = new Command("bench-drift", "Drive simulated cameras through a sudden and a gradual change: detection delay (windows) and false alarms per 1,000 windows")
        {
            manifest, cameras, windows, frames, seed,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var count = result.GetValue(cameras);
            var length = result.GetValue(windows);
            var sizes = result.GetValue(frames) ?? [];
            var options = new DriftOptions();
            if (count < 2 || length < (3 * options.BaselineWindows) + 3 || sizes.Length == 0 || sizes.Any(f => f < options.MinFrames))
            {
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"error: --cameras must be at least 2, --windows at least {(3 * options.BaselineWindows) + 3}, --frames at least {options.MinFrames}"));
                return 2;
            }

            var path = result.GetValue(manifest) ?? RepositoryManifest();
            ModelManifest? model;
            try
            {
                model = JsonSerializer.Deserialize(await File.ReadAllTextAsync(path, cancellationToken), ManifestJson.Default.ModelManifest);
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"error: cannot read the manifest {path}: {e.Message}");
                return 1;
            }

            if (model?.ReferenceStatistics is null)
            {
                await Console.Error.WriteLineAsync($"error: {path} has no referenceStatistics to draw frames from");
                return 1;
            }

            var benchmark = new DriftBenchmark(model, options, count, length, result.GetValue(seed));
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"""
                drift benchmark: {count} cameras x {length} windows, {model.Id} reference; half the cameras change at window {benchmark.ChangeAt}, a third look at a darker or brighter belt (+-35) from the start
                baseline {options.BaselineWindows} windows; warning at PSI {options.WarningPsi}, alert at {options.AlertPsi}; windows under {options.SmallWindowFrames} frames: KS test, BH false-discovery rate {options.FalseDiscoveryRate}
                scenario                              frames/window  test  delay to warning (median / max)  delay to alert (median / max)  undetected  false alarms per 1,000 windows

                """);
            foreach (var scenario in DriftScenario.All)
            {
                foreach (var size in sizes)
                {
                    var r = benchmark.Run(scenario, size);
                    text.Append(CultureInfo.InvariantCulture,
                        $"{r.Scenario,-38}{r.FramesPerWindow,13}  {(r.SmallWindows ? "KS " : "PSI")}  {Delay(r.WarningDelayMedian, r.WarningDelayMax, length),31}  {Delay(r.AlertDelayMedian, r.AlertDelayMax, length),29}  {r.Undetected,10}  {r.FalseAlarmsPerThousandWindows,29:F2}  ({r.FalseAlarms} in {r.UnchangedWindows})\n");
                }
            }

            await Console.Out.WriteAsync(text.ToString());
            return 0;
        });
        return command;
    }

    private static string Delay(double median, int max, int windows) =>
        double.IsInfinity(median) ? "never" : string.Create(CultureInfo.InvariantCulture, $"{median:0.#} / {(max >= windows ? "never" : max.ToString(CultureInfo.InvariantCulture))}");

    private static string RepositoryManifest()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeMl.sln")))
            {
                return Path.Combine(dir.FullName, "models", "crack-detector", "v3", "manifest.json");
            }
        }

        return Path.Combine("models", "crack-detector", "v3", "manifest.json");
    }
}
