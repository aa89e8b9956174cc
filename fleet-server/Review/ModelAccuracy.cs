using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Review;

/// <summary>
/// What the verdicts say about one model version. <see cref="Accuracy"/>: reviewed cases where the model's
/// call matched the verdict. <see cref="AutomaticErrorRate"/>: audited (automatically decided) cases the
/// inspector overturned; the audit sample is random, so this estimates the error of every automatic decision.
/// <see cref="ShareEscalated"/>: escalated cases among this version's cases (the share of all frames needs
/// the telemetry counts).
/// </summary>
internal sealed record ModelAccuracy(
    string Model,
    long Cases,
    long Open,
    long Escalated,
    long Audited,
    WilsonInterval? Accuracy,
    WilsonInterval? ShareEscalated,
    WilsonInterval? AutomaticErrorRate)
{
    public static IReadOnlyList<ModelAccuracy> From(IEnumerable<CaseTally> tallies) =>
        tallies.GroupBy(t => $"{t.ModelName}:{t.ModelVersion}").Select(Of).ToList();

    private static ModelAccuracy Of(IGrouping<string, CaseTally> model)
    {
        var cases = model.Sum(t => t.Count);
        var escalated = model.Where(t => t.Decision == "escalate").Sum(t => t.Count);
        var audited = cases - escalated;
        // Only a final verdict on a case where a model made a call can show it right or wrong.
        var judged = model.Where(t => t.Verdict is CaseStore.Ok or CaseStore.Defect && t.ModelCall != "none").ToList();
        var auditJudged = judged.Where(t => t.Decision == "audit").ToList();
        return new ModelAccuracy(
            model.Key,
            cases,
            model.Where(t => t.Verdict is null).Sum(t => t.Count),
            escalated,
            audited,
            WilsonInterval.Of(judged.Where(Right).Sum(t => t.Count), judged.Sum(t => t.Count)),
            WilsonInterval.Of(escalated, cases),
            WilsonInterval.Of(auditJudged.Where(t => !Right(t)).Sum(t => t.Count), auditJudged.Sum(t => t.Count)));
    }

    private static bool Right(CaseTally tally) => (tally.ModelCall, tally.Verdict) is ("pass", CaseStore.Ok) or ("reject", CaseStore.Defect);
}
