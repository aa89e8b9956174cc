using EdgeMl.Agent.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Agent.Tests.Http;

public sealed class ScoringHttpOptionsTests
{
    [Fact]
    public void Port_without_a_token_or_with_a_bad_address_fails_at_start_with_every_problem_listed()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agent:Http:Port"] = "8088",
            ["Agent:Http:Address"] = "localhost:80",
        }).Build();

        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddScoringHttp(configuration, 2));

        Assert.Contains("Agent:Http:Token must be set", error.Message, StringComparison.Ordinal);
        Assert.Contains("Agent:Http:Address 'localhost:80' is not an IP address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Off_by_default_and_on_loopback_when_enabled()
    {
        var off = new ServiceCollection().AddScoringHttp(new ConfigurationBuilder().Build(), 2);
        var on = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agent:Http:Port"] = "0",
            ["Agent:Http:Token"] = "a-token-long-enough",
        }).Build();

        Assert.DoesNotContain(off, d => d.ServiceType == typeof(ScoringEndpoint));
        var options = new ServiceCollection().AddScoringHttp(on, 2).BuildServiceProvider().GetRequiredService<ScoringHttpOptions>();
        Assert.Equal("127.0.0.1", options.Address);
    }
}
