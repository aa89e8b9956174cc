using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Tests.Storage;

public abstract class CaseStoreTests : StoreTests
{
    [Fact]
    public async Task Stores_a_case_once_and_acknowledges_a_repeat_without_changing_it()
    {
        var first = await Stores.Cases.AddAsync(Case("c-1", T0), Timeout);
        var repeat = await Stores.Cases.AddAsync(Case("c-1", T0.AddHours(1)) with { ModelVersion = "v9" }, Timeout);

        var stored = await Stores.Cases.GetAsync("c-1", Timeout);
        Assert.True(first);
        Assert.False(repeat);
        Assert.Equal(("v1", T0, CaseRecord.Open), (stored!.ModelVersion, stored.CapturedAt, stored.Status));
        Assert.Equal(0.8, stored.Probabilities["crack"]);
    }

    [Fact]
    public async Task Queue_is_oldest_first_and_filters_by_site_line_and_model_version()
    {
        await Stores.Cases.AddAsync(Case("late", T0.AddMinutes(2)), Timeout);
        await Stores.Cases.AddAsync(Case("early", T0), Timeout);
        await Stores.Cases.AddAsync(Case("other-site", T0.AddMinutes(1)) with { Site = "b" }, Timeout);
        await Stores.Cases.AddAsync(Case("other-version", T0.AddMinutes(1)) with { ModelVersion = "v2" }, Timeout);

        var all = await Stores.Cases.QueueAsync("ann", CaseFilter.All, 10, Timeout);
        var siteA = await Stores.Cases.QueueAsync("ann", new CaseFilter(Site: "a", Line: "1", ModelVersion: "v1"), 10, Timeout);

        Assert.Equal(["early", "other-site", "other-version", "late"], all.Select(c => c.Id));
        Assert.Equal(["early", "late"], siteA.Select(c => c.Id));
        Assert.Equal(2, await Stores.Cases.CountQueueAsync("ann", new CaseFilter(Site: "a", ModelVersion: "v1"), Timeout));
    }

    [Fact]
    public async Task Unsure_keeps_the_case_open_for_another_inspector_only()
    {
        await Stores.Cases.AddAsync(Case("c-1", T0), Timeout);

        var unsure = await Stores.Cases.RecordVerdictAsync("c-1", "ann", CaseStore.Unsure, T0.AddMinutes(1), Timeout);
        var again = await Stores.Cases.RecordVerdictAsync("c-1", "ann", CaseStore.Ok, T0.AddMinutes(2), Timeout);
        var annQueue = await Stores.Cases.QueueAsync("ann", CaseFilter.All, 10, Timeout);
        var bobQueue = await Stores.Cases.QueueAsync("bob", CaseFilter.All, 10, Timeout);

        Assert.Equal((VerdictOutcome.Recorded, VerdictOutcome.AlreadyGiven), (unsure, again));
        Assert.Empty(annQueue);
        Assert.Equal("c-1", Assert.Single(bobQueue).Id);
        Assert.Equal(CaseRecord.Open, (await Stores.Cases.GetAsync("c-1", Timeout))!.Status);
    }

    [Fact]
    public async Task A_verdict_closes_the_case_with_inspector_and_time_and_a_later_one_is_refused()
    {
        await Stores.Cases.AddAsync(Case("c-1", T0), Timeout);

        var bob = await Stores.Cases.RecordVerdictAsync("c-1", "bob", CaseStore.Defect, T0.AddMinutes(3), Timeout);
        var carl = await Stores.Cases.RecordVerdictAsync("c-1", "carl", CaseStore.Ok, T0.AddMinutes(4), Timeout);
        var unknown = await Stores.Cases.RecordVerdictAsync("nope", "bob", CaseStore.Ok, T0, Timeout);

        var stored = await Stores.Cases.GetAsync("c-1", Timeout);
        Assert.Equal((VerdictOutcome.Recorded, VerdictOutcome.AlreadyReviewed, VerdictOutcome.UnknownCase), (bob, carl, unknown));
        Assert.Equal((CaseRecord.Reviewed, "defect", "bob", T0.AddMinutes(3)), (stored!.Status, stored.Verdict, stored.ReviewedBy, stored.ReviewedAt));
        Assert.Equal(["c-1"], (await Stores.Cases.ListAsync(CaseRecord.Reviewed, Timeout)).Select(c => c.Id));
        Assert.Empty(await Stores.Cases.ListAsync(CaseRecord.Open, Timeout));
    }

    [Fact]
    public async Task Tallies_cases_per_model_version_decision_call_and_verdict()
    {
        await Stores.Cases.AddAsync(Case("a1", T0) with { Decision = "audit", ModelCall = "pass" }, Timeout);
        await Stores.Cases.AddAsync(Case("a2", T0) with { Decision = "audit", ModelCall = "pass" }, Timeout);
        await Stores.Cases.AddAsync(Case("e1", T0), Timeout);
        await Stores.Cases.RecordVerdictAsync("a1", "ann", CaseStore.Ok, T0, Timeout);
        await Stores.Cases.RecordVerdictAsync("a2", "ann", CaseStore.Ok, T0, Timeout);

        var tally = await Stores.Cases.TallyAsync(Timeout);

        Assert.Equal(
            [new CaseTally("crack-detector", "v1", "audit", "pass", "ok", 2), new CaseTally("crack-detector", "v1", "escalate", "reject", null, 1)],
            tally.OrderBy(t => t.Decision));
    }

    [Fact]
    public async Task Sessions_name_their_inspector_until_they_expire_or_end()
    {
        Assert.True(await Stores.Inspectors.AddAsync("ann", "hash", T0, Timeout));
        Assert.False(await Stores.Inspectors.AddAsync("ann", "other", T0, Timeout));
        await Stores.Inspectors.StartSessionAsync("s1", "ann", T0.AddHours(1), Timeout);
        await Stores.Inspectors.StartSessionAsync("s2", "ann", T0.AddHours(1), Timeout);

        var live = await Stores.Inspectors.SessionAsync("s1", T0, Timeout);
        var expired = await Stores.Inspectors.SessionAsync("s1", T0.AddHours(1), Timeout);
        await Stores.Inspectors.EndSessionAsync("s2", T0, Timeout);

        Assert.Equal((new Account("ann", Account.Inspector), null), (live, expired));
        Assert.Null(await Stores.Inspectors.SessionAsync("s2", T0, Timeout));
        Assert.Equal("hash", await Stores.Inspectors.PasswordHashAsync("ann", Timeout));
    }

    [Fact]
    public async Task An_admin_account_keeps_its_role_in_its_sessions()
    {
        Assert.True(await Stores.Inspectors.AddAsync(new Account("root", Account.Admin), "hash", T0, Timeout));
        await Stores.Inspectors.StartSessionAsync("s1", "root", T0.AddHours(1), Timeout);

        Assert.Equal(Account.Admin, await Stores.Inspectors.RoleAsync("root", Timeout));
        Assert.True((await Stores.Inspectors.SessionAsync("s1", T0, Timeout))!.IsAdmin);
        Assert.Null(await Stores.Inspectors.RoleAsync("nobody", Timeout));
    }

    [Fact]
    public async Task Owes_a_device_the_verdicts_on_its_own_reviewed_cases_until_it_acknowledges_them()
    {
        await Stores.Cases.AddAsync(Case("late", T0), Timeout);
        await Stores.Cases.AddAsync(Case("early", T0), Timeout);
        await Stores.Cases.AddAsync(Case("open", T0), Timeout);
        await Stores.Cases.AddAsync(Case("other", T0) with { DeviceId = "cam-2" }, Timeout);
        await Stores.Cases.RecordVerdictAsync("late", "ann", CaseStore.Ok, T0.AddMinutes(2), Timeout);
        await Stores.Cases.RecordVerdictAsync("early", "ann", CaseStore.Defect, T0.AddMinutes(1), Timeout);
        await Stores.Cases.RecordVerdictAsync("open", "ann", CaseStore.Unsure, T0.AddMinutes(1), Timeout);
        await Stores.Cases.RecordVerdictAsync("other", "ann", CaseStore.Ok, T0.AddMinutes(1), Timeout);

        var owed = await Stores.Cases.OwedVerdictsAsync("cam-1", 10, Timeout);
        var marked = await Stores.Cases.AcknowledgeVerdictsAsync("cam-1", ["early", "other", "open", "nope"], T0.AddMinutes(3), Timeout);

        Assert.Equal([("early", "defect"), ("late", "ok")], owed.Select(c => (c.Id, c.Verdict)));
        Assert.Equal(1, marked);
        Assert.Equal(["late"], (await Stores.Cases.OwedVerdictsAsync("cam-1", 10, Timeout)).Select(c => c.Id));
        Assert.Equal(["other"], (await Stores.Cases.OwedVerdictsAsync("cam-2", 10, Timeout)).Select(c => c.Id));
    }

    [Fact]
    public async Task Tallies_one_model_version_on_given_devices_captured_since_a_time()
    {
        await Stores.Cases.AddAsync(Case("counted", T0.AddMinutes(1)) with { ModelVersion = "v2", Decision = "audit", ModelCall = "pass" }, Timeout);
        await Stores.Cases.AddAsync(Case("at-start", T0) with { ModelVersion = "v2" }, Timeout);
        await Stores.Cases.AddAsync(Case("earlier", T0.AddMinutes(-1)) with { ModelVersion = "v2" }, Timeout);
        await Stores.Cases.AddAsync(Case("other-device", T0.AddMinutes(1)) with { ModelVersion = "v2", DeviceId = "cam-2" }, Timeout);
        await Stores.Cases.AddAsync(Case("other-version", T0.AddMinutes(1)), Timeout);
        await Stores.Cases.RecordVerdictAsync("counted", "ann", CaseStore.Defect, T0.AddMinutes(2), Timeout);

        var tally = await Stores.Cases.TallyAsync(new CaseTallyQuery("crack-detector", "v2", ["cam-1", "cam-3"], T0), Timeout);
        var none = await Stores.Cases.TallyAsync(new CaseTallyQuery("crack-detector", "v2", [], T0), Timeout);

        Assert.Equal(
            [new CaseTally("crack-detector", "v2", "audit", "pass", "defect", 1), new CaseTally("crack-detector", "v2", "escalate", "reject", null, 1)],
            tally.OrderBy(t => t.Decision));
        Assert.Empty(none);
    }

    [Fact]
    public async Task Lists_the_cases_reviewed_since_a_time_in_the_order_they_were_decided()
    {
        foreach (var id in new[] { "before", "second", "first", "unreviewed" })
        {
            await Stores.Cases.AddAsync(Case(id, T0), Timeout);
        }

        await Stores.Cases.RecordVerdictAsync("before", "ann", CaseStore.Ok, T0.AddMinutes(1), Timeout);
        await Stores.Cases.RecordVerdictAsync("second", "ann", CaseStore.Ok, T0.AddMinutes(5), Timeout);
        await Stores.Cases.RecordVerdictAsync("first", "ann", CaseStore.Defect, T0.AddMinutes(3), Timeout);

        var since = await Stores.Cases.ReviewedSinceAsync(T0.AddMinutes(2), Timeout);

        Assert.Equal(["first", "second"], since.Select(c => c.Id));
    }

    private static CaseRecord Case(string id, DateTimeOffset at) => new(
        id, "cam-1", "a", "1", at, at, "crack-detector", "v1", "partial", "escalate", "reject",
        new Dictionary<string, double> { ["ok"] = 0.2, ["crack"] = 0.8 }, HasHeatmap: false);
}
