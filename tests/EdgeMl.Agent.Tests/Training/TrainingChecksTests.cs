using EdgeMl.Agent.Tests.Infrastructure;

namespace EdgeMl.Agent.Tests.Training;

/// <summary>The training scripts' quick checks (numpy and PIL, at most a few frames rendered; check_unpack.py, check_stage2.py and check_line.py also Debian's torch, on a few sample frames), run here so that CI keeps them true.</summary>
public sealed class TrainingChecksTests
{
    [Theory]
    [InlineData("check_generate.py")]
    [InlineData("check_bands.py")]
    [InlineData("check_also_data.py")]
    [InlineData("check_screen.py")]
    [InlineData("check_unpack.py")]
    [InlineData("check_stage2.py")]
    [InlineData("check_line.py")]
    [InlineData("check_twins.py")]
    [InlineData("check_frameset.py")]
    public async Task Training_check_passes_every_line(string script)
    {
        var result = await ProcessRunner.RunAsync("/usr/bin/python3", [Path.Combine(Repo.Models, "training", script)], TimeSpan.FromMinutes(5));

        Assert.True(result.ExitCode == 0, $"{script} failed:\n{result.Output}{result.Error}");
        Assert.DoesNotContain("FAIL", result.Output, StringComparison.Ordinal);
        Assert.StartsWith("ok ", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--source evalgen --varied", "--varied, --glyphs and --refract are modes of generate.py; --source evalgen has none")]
    [InlineData("--source evalgen8 --refract", "--varied, --glyphs and --refract are modes of generate.py; --source evalgen8 has none")]
    [InlineData("--batch 31", "--batch 31: an even number (half ok twins, half cracked)")]
    [InlineData("--seed 777", "--seed 777: kept for the v1/v2 test set (777) and training frames (1)")]
    [InlineData("--crack-gain -1", "--crack-gain -1: must be 0 (off) or more")]
    public async Task Train_v3_refuses_options_that_cannot_hold_in_one_line_and_writes_nothing(string options, string message)
    {
        using var temp = new TempDirectory();
        var run = temp.File("run");

        await AssertRefusedInOneLine("train_v3.py", ["--run", run, "--pairs", "2", "--seed", "5", .. options.Split(' '), "--data-only"], message);

        Assert.False(Directory.Exists(run));
    }

    [Theory]
    [InlineData("--stage2 a.pt --stage2-weight 0", "argument --stage2-weight: '0': a finite weight above 0, or auto")]
    [InlineData("--stage2 a.pt --stage2-weight nan", "argument --stage2-weight: 'nan': a finite weight above 0, or auto")]
    [InlineData("--stage2 a.pt --stage2-weight lots", "argument --stage2-weight: 'lots': a finite weight above 0, or auto")]
    [InlineData("--stage2-weight auto", "--stage2-weight: only with --stage2")]
    [InlineData("--version V3-line", "argument --version: 'V3-line': 1-64 characters of a-z, 0-9, -, _ and ., starting with a letter or digit")]
    public async Task Export_v3_refuses_an_option_value_it_cannot_use_in_one_line_and_writes_nothing(string options, string message)
    {
        using var temp = new TempDirectory();
        var run = temp.File("run");

        await AssertRefusedInOneLine("export_v3.py", ["--run", run, "--out", temp.File("out"), .. options.Split(' ')], message);

        Assert.False(Directory.Exists(run));
        Assert.False(Directory.Exists(temp.File("out")));
    }

    [Theory]
    [InlineData("", "", "--data or --line: the second stage needs pair stores, frames labelled per frame, or both")]
    [InlineData("--line {line}", "file,label\nok/a.jpg,ok\n", "--line fine-tunes a second stage: name it with --init (a package folder or checkpoints)")]
    [InlineData("--init {pkg} --line {line}", null, "--line {line}: no labels.csv there (as fleet-server's dataset export writes it)")]
    [InlineData("--init {pkg} --line {line}", "file,verdict\nok/a.jpg,ok\n", "--line {line}: labels.csv needs the columns file and label and at least one row")]
    [InlineData("--init {pkg} --line {line}", "file,label\nok/a.jpg,ok\nx/b.jpg,unsure\n", "--line {line}: x/b.jpg is labelled 'unsure', not one of ok, defect, cracked")]
    [InlineData("--init {pkg} --line {line} --line-frames 3", "file,label\nok/a.jpg,ok\n", "--line-frames 3: an even number, 2 or more (half defects, half ok)")]
    [InlineData("--init {line} --line {line}", "file,label\nok/a.jpg,ok\n", "--init {line}: neither a package folder (manifest.json and model.onnx) nor a checkpoint file")]
    [InlineData("--first {pkg}/model.onnx --first-screen {pkg}", null, "--data or --line: the second stage needs pair stores, frames labelled per frame, or both")]
    [InlineData("--first {pkg}/model.onnx --first-screen {line}", null, "{line}: neither a package folder (manifest.json and model.onnx) nor a checkpoint file")]
    public async Task Train_stage2_refuses_line_options_it_cannot_use_in_one_line_and_writes_nothing(string options, string? labels, string message)
    {
        using var temp = new TempDirectory();
        var run = temp.File("run");
        var line = temp.File("dataset");
        Directory.CreateDirectory(line);
        if (labels is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(line, "labels.csv"), labels);
        }

        var package = Path.Combine(Repo.Models, "v3");
        string Fill(string text) => text.Replace("{pkg}", package, StringComparison.Ordinal).Replace("{line}", line, StringComparison.Ordinal);
        string[] extra = options.Length == 0 ? [] : Fill(options).Split(' ');

        await AssertRefusedInOneLine("train_stage2.py", ["--run", run, "--first", package, .. extra], Fill(message));

        Assert.False(Directory.Exists(run));
    }

    /// <summary>The script exits 2 with argparse's one-line error ending in <paramref name="message"/>, no traceback.</summary>
    private static async Task AssertRefusedInOneLine(string script, string[] arguments, string message)
    {
        var result = await ProcessRunner.RunAsync("/usr/bin/python3", [Path.Combine(Repo.Models, "training", script), .. arguments],
            TimeSpan.FromMinutes(1));

        Assert.Equal(2, result.ExitCode);
        Assert.EndsWith($"{script}: error: {message}", result.Error.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("Traceback", result.Error, StringComparison.Ordinal);
    }
}
