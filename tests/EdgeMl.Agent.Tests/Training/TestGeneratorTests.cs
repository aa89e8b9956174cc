using EdgeMl.Agent.Tests.Infrastructure;

namespace EdgeMl.Agent.Tests.Training;

/// <summary>evalgen4.py, the generator written for test-4 only: its frames depend on (seed, index) alone, its files
/// agree with its lists, and a wrong argument is one line.</summary>
public sealed class TestGeneratorTests
{
    private static string Generator => Path.Combine(Repo.Models, "training", "evalgen4.py");

    [Fact]
    public async Task The_frames_are_the_same_bytes_whatever_the_workers_and_the_lists_name_them()
    {
        using var temp = new TempDirectory();

        var one = await GenerateAsync(temp.File("one"), "1");
        var two = await GenerateAsync(temp.File("two"), "2");

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
    [InlineData("0", "3", "--count must be >= 1")]
    [InlineData("2", "-1", "--seed must be >= 0")]
    public async Task A_wrong_argument_is_one_line(string count, string seed, string message)
    {
        using var temp = new TempDirectory();

        var run = await ProcessRunner.RunAsync("/usr/bin/python3", [Generator, "--out", temp.File("out"), "--count", count, "--seed", seed], TimeSpan.FromMinutes(1));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"evalgen4.py: error: {message}", run.Error.Trim());
        Assert.False(Directory.Exists(temp.File("out")));
    }

    private static Task<ProcessRunner.Result> GenerateAsync(string folder, string workers) =>
        ProcessRunner.RunAsync("/usr/bin/python3", [Generator, "--out", folder, "--count", "3", "--seed", "7", "--workers", workers], TimeSpan.FromMinutes(3));
}
