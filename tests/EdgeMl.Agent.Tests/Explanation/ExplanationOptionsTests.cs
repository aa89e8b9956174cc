using EdgeMl.Agent.Explanation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Agent.Tests.Explanation;

public sealed class ExplanationOptionsTests
{
    [Fact]
    public void Settings_out_of_range_fail_at_start_with_every_problem_listed()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Explanation:Enabled"] = "true",
            ["Explanation:Cells"] = "1",
            ["Explanation:BatchSize"] = "0",
        }).Build();

        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddExplanation(configuration, "data"));

        Assert.Contains("Explanation:Cells is 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Explanation:BatchSize is 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Off_by_default_registers_nothing()
    {
        var services = new ServiceCollection().AddExplanation(new ConfigurationBuilder().Build(), "data");

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(ExplanationQueue));
    }
}
