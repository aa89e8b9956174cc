using EdgeMl.Agent.Tests.Infrastructure;

namespace EdgeMl.Agent.Tests.Cli;

[Trait("Category", "ExecutionProvider")]
public sealed class CheckCommandTests
{
    [Fact]
    public async Task Compares_every_provider_with_the_cpu_on_the_sample_frames()
    {
        var samples = Path.Combine(Repo.Models, "samples");

        var run = await ProcessRunner.AgentAsync("check", "--model", Repo.Package("v2"), "--input", samples, "--tolerance", "0.02");

        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"crack-detector:v2: reference cpu, {Directory.GetFiles(samples, "*.jpg").Length} frames from {samples}", lines[0]);
        var cuda = Assert.Single(lines, l => l.StartsWith("cuda ", StringComparison.Ordinal));
        Assert.True(cuda.Contains("not available: ", StringComparison.Ordinal) || cuda.Contains(": agrees (tolerance 0.02)", StringComparison.Ordinal), cuda);
    }

    [Fact]
    public async Task Refuses_a_negative_tolerance()
    {
        var run = await ProcessRunner.AgentAsync("check", "--model", Repo.Package("v2"), "--input", Path.Combine(Repo.Models, "samples"), "--tolerance", "-1");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: Inference:CrossCheckTolerance is -1", run.Error, StringComparison.Ordinal);
    }
}
