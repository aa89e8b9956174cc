using System.Security.Cryptography;
using System.Text.RegularExpressions;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Tests.Training;

/// <summary>scripts/train-crack-detector end to end at tiny sizes (three pairs per store, 24 steps, 12 more as s2db and 12 with curls,
/// a second stage mined on two pairs per store and trained for 8 steps, six frames per set):
/// the recipe's every stage, the package the agent scores, a rerun that resumes, and a second folder that repeats it.
/// The first run is shared, so that no test holds more than two runs (a few minutes each on a busy 2-core machine).</summary>
public sealed class TrainingRecipeTests(TrainingRecipeTests.FirstRun first) : IClassFixture<TrainingRecipeTests.FirstRun>
{
    private static readonly Dictionary<string, string> Tiny = new()
    {
        ["PAIRS"] = "3",
        ["STEPS"] = "24",
        ["BLOCK_STEPS"] = "12",
        ["CURL_STEPS"] = "12",
        ["SCREEN_STEPS"] = "16",
        ["STAGE2_MINE"] = "2",
        ["STAGE2_STEPS"] = "8",
        ["SET_FRAMES"] = "6",
    };

    [Fact]
    public async Task The_recipe_script_makes_a_package_the_agent_scores_and_a_rerun_resumes_to_the_same_model()
    {
        var made = await first.Made;
        var package = ModelPackage.Load(first.Package);
        using var temp = new TempDirectory();
        var scored = await ProcessRunner.AgentAsync("infer", "--model", first.Package, "--input", Path.Combine(Repo.Models, "samples"), "--out", temp.File("scores.csv"), "--ep", "cpu");
        var rerun = await TrainAsync(first.Folder);

        Assert.Equal(("crack-detector", "v3"), (package.Manifest.Name, package.Manifest.Version));
        // the agent checks the map output's shape when it loads the package, so that infer below scores it
        Assert.Equal(("map", "cracked", "logits"), (package.Manifest.Explanation?.Output, package.Manifest.Explanation?.Label, package.Manifest.Explanation?.Kind));
        var manifest = await File.ReadAllTextAsync(Path.Combine(first.Package, ModelPackage.ManifestFile));
        Assert.Contains("\"architecture\": \"block local contrast", manifest, StringComparison.Ordinal);
        Assert.Contains("second stage over the top 6 local maxima", manifest, StringComparison.Ordinal);
        // the weight the export computed from the calibration frames is the one the manifest describes
        var weight = Regex.Match(made.Output, @"second stage: patch logit weight (\S+) \(auto\)").Groups[1].Value;
        Assert.NotEmpty(weight);
        Assert.Contains($"frame logit = max of map logit + {weight} x patch logit", manifest, StringComparison.Ordinal);
        Assert.Matches(@"export_v3\.py --run \S+ --checkpoint [^""]* --screen [^""]* --stage2 [^""]* --stage2-weight auto""", manifest);
        Assert.True(scored.ExitCode == 0, scored.Error);
        var rows = File.ReadAllLines(temp.File("scores.csv")).Skip(1).ToList();
        Assert.Equal(Directory.GetFiles(Path.Combine(Repo.Models, "samples"), "*.jpg").Length, rows.Count);
        Assert.DoesNotContain(rows, r => r.Contains(",error,", StringComparison.Ordinal));
        Assert.DoesNotContain("resumed from", made.Output, StringComparison.Ordinal);
        Assert.Contains("data: 3 pairs cached", rerun.Output, StringComparison.Ordinal);
        Assert.Contains("crack/last.pt at step 24", rerun.Output, StringComparison.Ordinal);
        Assert.Contains("block/last.pt at step 12", rerun.Output, StringComparison.Ordinal);
        Assert.Contains("curls/last.pt at step 12", rerun.Output, StringComparison.Ordinal);
        Assert.Contains("screen/last.pt at step 16", rerun.Output, StringComparison.Ordinal);
        Assert.Contains("stage2/last.pt at step 8", rerun.Output, StringComparison.Ordinal);
        Assert.Equal(made.ModelHash, rerun.ModelHash);
    }

    [Fact]
    public async Task A_second_folder_makes_the_same_model_bit_for_bit()
    {
        var made = await first.Made;
        using var temp = new TempDirectory();

        var again = await TrainAsync(temp.File("b"));

        Assert.Equal(made.ModelHash, again.ModelHash);
    }

    [Fact]
    public async Task A_size_that_is_not_a_whole_number_is_one_line_and_nothing_runs()
    {
        using var temp = new TempDirectory();

        var run = await ProcessRunner.RunAsync(Script, [temp.File("runs"), temp.File("package")], TimeSpan.FromMinutes(1), new Dictionary<string, string>(Tiny) { ["STEPS"] = "lots" });

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("train-crack-detector: sizes are whole numbers above 0, not 'lots'", run.Error.Trim());
        Assert.False(Directory.Exists(temp.File("runs")));
    }

    private static string Script => Path.Combine(Repo.Root, "scripts", "train-crack-detector");

    /// <summary>The first run of the recipe into a folder of its own, started by the first test that needs it.</summary>
    public sealed class FirstRun : IDisposable
    {
        private readonly TempDirectory _temp = new();
        private readonly Lazy<Task<(string Output, string ModelHash)>> _made;

        public FirstRun() => _made = new(() => TrainAsync(Folder));

        public string Folder => _temp.File("a");

        public string Package => Path.Combine(Folder, "package");

        public Task<(string Output, string ModelHash)> Made => _made.Value;

        public void Dispose() => _temp.Dispose();
    }

    private static async Task<(string Output, string ModelHash)> TrainAsync(string folder)
    {
        var run = await ProcessRunner.RunAsync(Script, [Path.Combine(folder, "runs"), Path.Combine(folder, "package")], TimeSpan.FromMinutes(10), Tiny);
        Assert.True(run.ExitCode == 0, $"train-crack-detector failed:\n{run.Output}{run.Error}");
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(folder, "package", ModelPackage.ModelFile))));
        return (run.Output + run.Error, hash);
    }
}
