using EdgeMl.Agent.Decisions;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Tests.Decisions;

public sealed class DecisionPolicyTests
{
    private static readonly DecisionPolicy Policy = new(new ModelManifest
    {
        Output = new OutputSpec { Labels = ["ok", "cracked"] },
        Decision = new DecisionSpec { Thresholds = new() { ["ok"] = 0.875, ["cracked"] = 0.75 } },
    });

    [Theory]
    [InlineData(0.99f, 0, Decision.Auto)]
    [InlineData(0.875f, 0, Decision.Auto)]
    [InlineData(0.87f, 0, Decision.Escalate)]
    [InlineData(0.50f, 0, Decision.Escalate)]
    [InlineData(0.26f, 1, Decision.Escalate)]
    [InlineData(0.25f, 1, Decision.Auto)]
    [InlineData(0.01f, 1, Decision.Auto)]
    public void Decides_automatically_only_when_the_top_label_reaches_its_threshold(float pOk, int top, Decision expected)
    {
        var verdict = Policy.Decide([pOk, 1 - pOk]);

        Assert.Equal(top, verdict.Label);
        Assert.Equal(Math.Max(pOk, 1 - pOk), verdict.Confidence, 6);
        Assert.Equal(expected, verdict.Decision);
    }

    [Fact]
    public void Escalates_a_frame_whose_scores_are_not_numbers()
    {
        Assert.Equal(Decision.Escalate, Policy.Decide([float.NaN, float.NaN]).Decision);
    }
}
