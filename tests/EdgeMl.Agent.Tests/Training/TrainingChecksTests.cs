using EdgeMl.Agent.Tests.Infrastructure;

namespace EdgeMl.Agent.Tests.Training;

/// <summary>The training scripts' quick checks (numpy and PIL, at most a few frames rendered; check_unpack.py also Debian's torch, on four sample frames), run here so that CI keeps them true.</summary>
public sealed class TrainingChecksTests
{
    [Theory]
    [InlineData("check_bands.py")]
    [InlineData("check_also_data.py")]
    [InlineData("check_screen.py")]
    [InlineData("check_unpack.py")]
    [InlineData("check_twins.py")]
    public async Task Training_check_passes_every_line(string script)
    {
        var result = await ProcessRunner.RunAsync("/usr/bin/python3", [Path.Combine(Repo.Models, "training", script)], TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, $"{script} failed:\n{result.Output}{result.Error}");
        Assert.DoesNotContain("FAIL", result.Output, StringComparison.Ordinal);
        Assert.StartsWith("ok ", result.Output, StringComparison.Ordinal);
    }
}
