namespace EdgeMl.Fleet.Storage;

/// <summary>
/// An escalated or audited frame as the device uploaded it, and its review. <see cref="ModelCall"/> is
/// what the model concluded (<c>pass</c>, <c>reject</c>, or <c>none</c> without a model): for an audited
/// case the decision the line acted on, which the verdict checks.
/// </summary>
internal sealed record CaseRecord(
    string Id,
    string DeviceId,
    string Site,
    string Line,
    DateTimeOffset CapturedAt,
    DateTimeOffset ReceivedAt,
    string ModelName,
    string ModelVersion,
    string AutomationLevel,
    string Decision,
    string ModelCall,
    IReadOnlyDictionary<string, double> Probabilities,
    bool HasHeatmap,
    string Status = CaseRecord.Open,
    string? Verdict = null,
    string? ReviewedBy = null,
    DateTimeOffset? ReviewedAt = null)
{
    public const string Open = "open";

    public const string Reviewed = "reviewed";

    public string Model => $"{ModelName}:{ModelVersion}";
}
