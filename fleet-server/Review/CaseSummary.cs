using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Review;

/// <summary>A case as <c>GET /api/cases</c> and <c>case list --json</c> show it.</summary>
internal sealed record CaseSummary(
    string Id,
    string Device,
    string Site,
    string Line,
    DateTimeOffset CapturedAt,
    string Model,
    string AutomationLevel,
    string Decision,
    string ModelCall,
    IReadOnlyDictionary<string, double> Probabilities,
    string Status,
    string? Verdict,
    string? ReviewedBy,
    DateTimeOffset? ReviewedAt)
{
    public static CaseSummary Of(CaseRecord c) => new(
        c.Id, c.DeviceId, c.Site, c.Line, c.CapturedAt, c.Model, c.AutomationLevel, c.Decision, c.ModelCall, c.Probabilities, c.Status, c.Verdict, c.ReviewedBy, c.ReviewedAt);
}
