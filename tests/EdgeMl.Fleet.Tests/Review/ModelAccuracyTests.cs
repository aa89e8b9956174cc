using EdgeMl.Fleet.Review;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Tests.Review;

public sealed class ModelAccuracyTests
{
    [Fact]
    public void Counts_audited_cases_the_inspector_overturned_as_automatic_errors_and_leaves_open_and_unsure_cases_out()
    {
        CaseTally[] tallies =
        [
            new("m", "v1", "audit", "pass", "ok", 18),
            new("m", "v1", "audit", "pass", "defect", 2),
            new("m", "v1", "escalate", "reject", "defect", 6),
            new("m", "v1", "escalate", "reject", "ok", 4),
            new("m", "v1", "escalate", "none", "ok", 5),
            new("m", "v1", "escalate", "reject", null, 7),
            new("m", "v2", "audit", "reject", null, 1),
        ];

        var byModel = ModelAccuracy.From(tallies).ToDictionary(m => m.Model);

        var v1 = byModel["m:v1"];
        Assert.Equal((42L, 7L, 22L, 20L), (v1.Cases, v1.Open, v1.Escalated, v1.Audited));
        Assert.Equal((24L, 30L), (v1.Accuracy!.Successes, v1.Accuracy.Trials));
        Assert.Equal((2L, 20L), (v1.AutomaticErrorRate!.Successes, v1.AutomaticErrorRate.Trials));
        Assert.Equal((22L, 42L), (v1.ShareEscalated!.Successes, v1.ShareEscalated.Trials));
        Assert.Null(byModel["m:v2"].Accuracy);
        Assert.Null(byModel["m:v2"].AutomaticErrorRate);
    }
}
