using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Tests.Decisions;

public sealed class DecisionPolicyTests
{
    private static readonly DecisionOptions NoAudit = new() { AuditShare = 0 };

    private static ModelManifest Manifest(DecisionSpec decision, string version = "v1") => new()
    {
        Name = "crack-detector",
        Version = version,
        Output = new OutputSpec { Labels = ["ok", "cracked"] },
        Decision = decision,
    };

    private static readonly ModelManifest ByThresholds = Manifest(new DecisionSpec { Thresholds = new() { ["ok"] = 0.875, ["cracked"] = 0.75 } });

    private static readonly ModelManifest ByBands = Manifest(new DecisionSpec { Bands = new BandSpec { Label = "cracked", Lower = 0.1, Upper = 0.9 } });

    [Theory]
    [InlineData(0.99f, 0, Band.Pass)]
    [InlineData(0.875f, 0, Band.Pass)]
    [InlineData(0.87f, 0, Band.Escalate)]
    [InlineData(0.50f, 0, Band.Escalate)]
    [InlineData(0.26f, 1, Band.Escalate)]
    [InlineData(0.25f, 1, Band.Reject)]
    [InlineData(0.01f, 1, Band.Reject)]
    public void Puts_a_frame_in_a_band_when_its_top_label_reaches_that_labels_threshold(float pOk, int top, Band band)
    {
        var verdict = new DecisionPolicy(ByThresholds, NoAudit).Decide([pOk, 1 - pOk], "frame.png");

        Assert.Equal(top, verdict.Label);
        Assert.Equal(Math.Max(pOk, 1 - pOk), verdict.Confidence, 6);
        Assert.Equal(band, verdict.Band);
        Assert.Equal(band == Band.Escalate ? Decision.Escalate : Decision.Auto, verdict.Decision);
    }

    [Theory]
    [InlineData(0.01f, 0, Band.Pass)]
    [InlineData(0.10f, 0, Band.Pass)]
    [InlineData(0.11f, 0, Band.Escalate)]
    [InlineData(0.60f, 1, Band.Escalate)]
    [InlineData(0.90f, 1, Band.Reject)]
    [InlineData(0.99f, 1, Band.Reject)]
    public void Puts_a_frame_in_a_band_by_the_probability_of_the_band_label(float pCracked, int label, Band band)
    {
        var verdict = new DecisionPolicy(ByBands, NoAudit).Decide([1 - pCracked, pCracked], "frame.png");

        Assert.Equal((label, band), (verdict.Label, verdict.Band));
    }

    [Fact]
    public void Maps_the_thresholds_of_the_shipped_packages_onto_pass_escalate_and_reject()
    {
        var v2 = ModelPackage.Load(Repo.Package("v2")).Manifest;
        var policy = new DecisionPolicy(v2, NoAudit);

        Assert.Equal(Band.Pass, policy.Decide([1f, 0f], "a").Band);
        Assert.Equal(Band.Escalate, policy.Decide([0.9f, 0.1f], "b").Band);
        Assert.Equal(Band.Escalate, policy.Decide([0.05f, 0.95f], "c").Band);
        Assert.Equal(Band.Reject, policy.Decide([0.001f, 0.999f], "d").Band);
    }

    [Fact]
    public void Passes_on_the_label_the_manifest_names()
    {
        var manifest = Manifest(new DecisionSpec { PassLabel = "cracked", Thresholds = new() { ["ok"] = 0.9, ["cracked"] = 0.9 } });

        var verdict = new DecisionPolicy(manifest, NoAudit).Decide([0.05f, 0.95f], "a");

        Assert.Equal(Band.Pass, verdict.Band);
    }

    [Theory]
    [InlineData(AutomationLevel.Human, Decision.Escalate, Decision.Escalate)]
    [InlineData(AutomationLevel.Shadow, Decision.Escalate, Decision.Escalate)]
    [InlineData(AutomationLevel.Assist, Decision.Escalate, Decision.Escalate)]
    [InlineData(AutomationLevel.Partial, Decision.Auto, Decision.Escalate)]
    [InlineData(AutomationLevel.Full, Decision.Auto, Decision.Auto)]
    public void Each_automation_level_decides_confident_and_unsure_frames_as_defined(AutomationLevel level, Decision confident, Decision unsure)
    {
        var policy = new DecisionPolicy(ByBands, new DecisionOptions { Automation = level, AuditShare = 0 });

        var sure = policy.Decide([0.02f, 0.98f], "sure.png");
        var unsureVerdict = policy.Decide([0.4f, 0.6f], "unsure.png");

        Assert.Equal((confident, level), (sure.Decision, sure.Automation));
        Assert.Equal((unsure, level), (unsureVerdict.Decision, unsureVerdict.Automation));
        // Whoever decides, the model's suggestion and band are recorded with the verdict.
        Assert.Equal((1, Band.Reject), (sure.Label, sure.Band));
        Assert.Equal((1, Band.Escalate), (unsureVerdict.Label, unsureVerdict.Band));
    }

    [Fact]
    public void Decides_partial_by_default()
    {
        Assert.Equal(AutomationLevel.Partial, new DecisionOptions().Automation);
    }

    [Fact]
    public void Escalates_a_frame_whose_scores_are_not_numbers()
    {
        Assert.Equal(Decision.Escalate, new DecisionPolicy(ByThresholds, NoAudit).Decide([float.NaN, float.NaN], "a").Decision);
        Assert.Equal(Decision.Escalate, new DecisionPolicy(ByBands, NoAudit).Decide([float.NaN, float.NaN], "a").Decision);
    }

    [Fact]
    public void Audits_about_the_configured_share_of_confident_decisions()
    {
        var policy = new DecisionPolicy(ByBands, new DecisionOptions { AuditShare = 0.02 });

        var audited = Enumerable.Range(0, 20_000).Count(i => policy.Decide([0.99f, 0.01f], $"frame-{i:D6}.jpg").Decision == Decision.Audit);

        // 400 expected; three standard deviations of a binomial draw are about 60.
        Assert.InRange(audited, 340, 460);
    }

    [Fact]
    public void A_retried_frame_gets_the_same_audit_answer()
    {
        var ids = Enumerable.Range(0, 2_000).Select(i => $"frame-{i:D6}.jpg").ToList();
        var first = new DecisionPolicy(ByBands, new DecisionOptions { AuditShare = 0.1 });
        var retry = new DecisionPolicy(ByBands, new DecisionOptions { AuditShare = 0.1 });

        var firstAnswers = ids.Select(id => first.Decide([0.99f, 0.01f], id).Decision).ToList();
        var retryAnswers = ids.Select(id => retry.Decide([0.98f, 0.02f], id).Decision).ToList();

        Assert.Contains(Decision.Audit, firstAnswers);
        Assert.Equal(firstAnswers, retryAnswers);
    }

    [Fact]
    public void Samples_other_frames_for_another_model_version()
    {
        var ids = Enumerable.Range(0, 2_000).Select(i => $"frame-{i:D6}.jpg").ToList();
        var options = new DecisionOptions { AuditShare = 0.1 };
        var v1 = new DecisionPolicy(ByBands, options);
        var v2 = new DecisionPolicy(Manifest(ByBands.Decision, "v2"), options);

        var audited1 = ids.Where(id => v1.Decide([0.99f, 0.01f], id).Decision == Decision.Audit).ToList();
        var audited2 = ids.Where(id => v2.Decide([0.99f, 0.01f], id).Decision == Decision.Audit).ToList();

        Assert.NotEqual(audited1, audited2);
    }

    [Fact]
    public void Audits_only_automatic_decisions()
    {
        var everything = new DecisionOptions { AuditShare = 1 };

        Assert.Equal(Decision.Audit, new DecisionPolicy(ByBands, everything).Decide([0.99f, 0.01f], "a").Decision);
        Assert.Equal(Decision.Escalate, new DecisionPolicy(ByBands, everything).Decide([0.5f, 0.5f], "a").Decision);
        Assert.Equal(Decision.Escalate, new DecisionPolicy(ByBands, new DecisionOptions { AuditShare = 1, Automation = AutomationLevel.Assist }).Decide([0.99f, 0.01f], "a").Decision);
        Assert.Equal(Decision.Audit, new DecisionPolicy(ByBands, new DecisionOptions { AuditShare = 1, Automation = AutomationLevel.Full }).Decide([0.5f, 0.5f], "a").Decision);
    }

    [Fact]
    public void The_devices_bands_replace_the_manifests()
    {
        var options = new DecisionOptions { AuditShare = 0, Bands = new BandSpec { Label = "cracked", Lower = 0.3, Upper = 0.6 } };

        var policy = new DecisionPolicy(ByThresholds, options);

        // The manifest's thresholds escalate both frames.
        Assert.Equal(Band.Reject, policy.Decide([0.35f, 0.65f], "a").Band);
        Assert.Equal(Band.Pass, policy.Decide([0.75f, 0.25f], "b").Band);
    }

    [Fact]
    public void Refuses_a_model_whose_labels_do_not_fit_the_devices_bands()
    {
        var options = new DecisionOptions { Bands = new BandSpec { Label = "scratched", Lower = 0.1, Upper = 0.9 } };

        var error = Assert.Throws<ModelPackageException>(() => new DecisionPolicy(ByThresholds, options));

        Assert.Equal("this device's Decisions:Bands do not fit crack-detector:v1: Decisions:Bands.label 'scratched' is not an output label (ok, cracked)", error.Message);
    }
}
