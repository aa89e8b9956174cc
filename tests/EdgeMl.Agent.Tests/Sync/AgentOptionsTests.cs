using EdgeMl.Agent.Sync;

namespace EdgeMl.Agent.Tests.Sync;

public sealed class AgentOptionsTests
{
    [Theory]
    [InlineData(0, 60)]
    [InlineData(120, 60)]
    public void Refuses_a_stall_timeout_that_is_not_shorter_than_the_download_deadline(int stallSeconds, int deadlineSeconds)
    {
        var options = new AgentOptions
        {
            Server = "http://127.0.0.1:7400",
            DownloadStallTimeout = TimeSpan.FromSeconds(stallSeconds),
            DownloadDeadline = TimeSpan.FromSeconds(deadlineSeconds),
        };

        Assert.Contains(options.Validate(), p => p.Contains("DownloadStallTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Default_download_limits_are_valid()
    {
        Assert.Empty(new AgentOptions { Server = "http://127.0.0.1:7400" }.Validate());
    }
}
