namespace EdgeMl.Agent.Tests.Infrastructure;

/// <summary>
/// Frames from the project's generator (models/crack-detector/training/generate.py), made once per
/// test run and shared: the generator is deterministic for a seed, so these are exactly the frames
/// the model card's figures were measured on.
/// </summary>
internal static class GeneratedFrames
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<string> GetAsync(int count, int seed, params string[] extra)
    {
        // Keyed by the generator's own hash too: a changed generator never reuses stale frames.
        var generator = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(Repo.Generator)))[..12];
        var folder = Path.Combine(Path.GetTempPath(), $"edgeml-frames-{generator}-{count}-{seed}-{string.Join('-', extra).Replace("--", "", StringComparison.Ordinal)}");
        await Gate.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(folder, "labels.csv")) && File.Exists(Path.Combine(folder, ".complete")))
            {
                return folder;
            }

            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            var result = await ProcessRunner.RunAsync(
                "/usr/bin/python3",
                [Repo.Generator, "--out", folder, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extra],
                TimeSpan.FromMinutes(10));
            Assert.True(result.ExitCode == 0, $"generate.py failed: {result.Error}");
            await File.WriteAllTextAsync(Path.Combine(folder, ".complete"), "");
            return folder;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>file name -> label, from the generator's labels.csv.</summary>
    public static Dictionary<string, string> Labels(string folder) =>
        File.ReadLines(Path.Combine(folder, "labels.csv")).Skip(1)
            .Select(line => line.Split(','))
            .ToDictionary(parts => parts[0], parts => parts[1]);
}
