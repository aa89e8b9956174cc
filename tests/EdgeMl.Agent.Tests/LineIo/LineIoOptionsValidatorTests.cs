using EdgeMl.Agent.LineIo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Tests.LineIo;

public sealed class LineIoOptionsValidatorTests
{
    [Fact]
    public void Reports_every_problem_of_the_line_section_at_once()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LineIo:Enabled"] = "true",
            ["LineIo:RejectPin"] = "5",
            ["LineIo:HoldPin"] = "5",
            ["LineIo:ReleasePin"] = "6",
            ["LineIo:VerdictDeadline"] = "00:00:00",
        }).Build();
        using var services = new ServiceCollection().AddLineIo(configuration).BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LineIoOptions>>().Value);

        Assert.Contains(e.Failures, f => f.Contains("TriggerPin is required", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.Contains("ScrapPin is required", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.Contains("GPIO 5 is given to LineIo:RejectPin and LineIo:HoldPin", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.Contains("VerdictDeadline", StringComparison.Ordinal));
    }

    [Fact]
    public void Needs_no_hold_lane_pins_when_unsure_parts_go_to_reject()
    {
        var options = new LineIoOptions { Enabled = true, TriggerPin = 4, RejectPin = 5, FailSafe = FailSafeRoute.Reject };

        Assert.True(new LineIoOptionsValidator().Validate(null, options).Succeeded);
    }
}
