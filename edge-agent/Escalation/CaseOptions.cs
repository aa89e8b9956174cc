namespace EdgeMl.Agent.Escalation;

/// <summary>Escalated and audited frames as cases for the review station (section <c>Cases</c>, <c>EDGEML_CASES__*</c>); they wait in the outbox until the server has them.</summary>
public sealed class CaseOptions
{
    public const string Section = "Cases";

    /// <summary>Share of the outbox's bounds (bytes or messages) that waiting cases may fill before the device raises an alert; cases are refused, never dropped, only when the outbox is full.</summary>
    public double AlertShare { get; set; } = 0.8;

    /// <summary>How long an upload waits for the case's heatmap (when heatmaps are on); past it the case goes without one.</summary>
    public TimeSpan HeatmapWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest a single upload may take before it is tried again.</summary>
    public TimeSpan UploadDeadline { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Validate()
    {
        if (!(AlertShare is > 0 and <= 1))
        {
            yield return $"Cases:AlertShare is {AlertShare}; use a share of the outbox above 0 and at most 1 (e.g. 0.8)";
        }

        if (HeatmapWait < TimeSpan.Zero || HeatmapWait > TimeSpan.FromMinutes(10))
        {
            yield return $"Cases:HeatmapWait is {HeatmapWait}; use 0 to 10 minutes";
        }

        if (UploadDeadline < TimeSpan.FromSeconds(1) || UploadDeadline > TimeSpan.FromMinutes(10))
        {
            yield return $"Cases:UploadDeadline is {UploadDeadline}; use 1 second to 10 minutes";
        }
    }
}
