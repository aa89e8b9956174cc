using EdgeMl.Agent.Tests.Infrastructure;

namespace EdgeMl.Agent.Tests.Training;

/// <summary>The generators written from a brief alone: evalgen4.py (test-4 only) and evalgen5.py to evalgen8.py (training
/// twins). Their frames depend on (seed, index) alone, their files agree with their lists, and a wrong argument is one
/// line.</summary>
public sealed class TestGeneratorTests
{
    private static string Generator(string name) => Path.Combine(Repo.Models, "training", name);

    [Theory]
    [InlineData("evalgen4.py")]
    [InlineData("evalgen5.py")]
    [InlineData("evalgen6.py")]
    [InlineData("evalgen7.py")]
    [InlineData("evalgen8.py")]
    public async Task The_frames_are_the_same_bytes_whatever_the_workers_and_the_lists_name_them(string generator)
    {
        using var temp = new TempDirectory();

        var one = await GenerateAsync(generator, temp.File("one"), "1");
        var two = await GenerateAsync(generator, temp.File("two"), "2");

        Assert.True(one.ExitCode == 0, one.Error);
        Assert.True(two.ExitCode == 0, two.Error);
        var meta = File.ReadAllLines(temp.File("one/meta.csv"));
        Assert.Equal("file,label,kind,crack_width,screen,width,height,quality,nuisances", meta[0]);
        var rows = meta.Skip(1).Select(line => line.Split(',')).ToList();
        Assert.Equal(3, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(row[0], $"{rows.IndexOf(row):D5}_{row[1]}.jpg");
            Assert.Equal(row[1] == "ok", row[3] == "0");
            Assert.Equal(File.ReadAllBytes(Path.Combine(temp.File("one"), row[0])), File.ReadAllBytes(Path.Combine(temp.File("two"), row[0])));
        }

        Assert.Equal(File.ReadAllLines(temp.File("one/labels.csv")).Skip(1), rows.Select(r => $"{r[0]},{r[1]}"));
    }

    [Theory]
    [InlineData("evalgen4.py", "0", "3", "--count must be >= 1")]
    [InlineData("evalgen4.py", "2", "-1", "--seed must be >= 0")]
    [InlineData("evalgen5.py", "0", "3", "--count must be >= 1")]
    [InlineData("evalgen6.py", "0", "3", "--count must be >= 1")]
    [InlineData("evalgen6.py", "2", "-1", "--seed must be >= 0")]
    [InlineData("evalgen7.py", "0", "3", "--count must be >= 1")]
    [InlineData("evalgen8.py", "2", "-1", "--seed must be >= 0")]
    public async Task A_wrong_argument_is_one_line(string generator, string count, string seed, string message)
    {
        using var temp = new TempDirectory();

        var run = await ProcessRunner.RunAsync("/usr/bin/python3", [Generator(generator), "--out", temp.File("out"), "--count", count, "--seed", seed], TimeSpan.FromMinutes(1));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"{generator}: error: {message}", run.Error.Trim());
        Assert.False(Directory.Exists(temp.File("out")));
    }

    private static Task<ProcessRunner.Result> GenerateAsync(string generator, string folder, string workers) =>
        ProcessRunner.RunAsync("/usr/bin/python3", [Generator(generator), "--out", folder, "--count", "3", "--seed", "7", "--workers", workers], TimeSpan.FromMinutes(3));
}
