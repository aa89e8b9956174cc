using EdgeMl.Agent.Cli;
using EdgeMl.Agent.Decisions;

namespace EdgeMl.Agent.Tests.Decisions;

public sealed class DecisionOptionsTests
{
    [Fact]
    public void Binds_the_devices_automation_audit_share_and_bands()
    {
        var options = AgentConfiguration.Decisions(new Dictionary<string, string?>
        {
            ["Decisions:Automation"] = "shadow",
            ["Decisions:AuditShare"] = "0.05",
            ["Decisions:Bands:Label"] = "cracked",
            ["Decisions:Bands:Lower"] = "0.02",
            ["Decisions:Bands:Upper"] = "0.97",
        });

        Assert.Equal(AutomationLevel.Shadow, options.Automation);
        Assert.Equal(0.05, options.AuditShare);
        Assert.Equal(("cracked", 0.02, 0.97), (options.Bands!.Label, options.Bands.Lower, options.Bands.Upper));
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Names_every_problem_of_the_devices_settings()
    {
        var options = AgentConfiguration.Decisions(new Dictionary<string, string?>
        {
            ["Decisions:AuditShare"] = "1.5",
            ["Decisions:Bands:Lower"] = "0.9",
            ["Decisions:Bands:Upper"] = "0.1",
        });

        Assert.Equal(
            [
                "Decisions:AuditShare is 1.5; use 0-1 (a share of automatic decisions)",
                "Decisions:Bands: lower 0.9 and upper 0.1 must satisfy 0 <= lower < upper <= 1",
                "Decisions:Bands.label is missing",
            ],
            options.Validate());
    }
}
