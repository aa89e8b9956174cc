using EdgeMl.Contracts.Configuration;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Decisions;

/// <summary>How this device turns bands into decisions; from the <c>Decisions</c> section, <c>EDGEML_DECISIONS__*</c> and flags.</summary>
public sealed class DecisionOptions
{
    public const string Section = "Decisions";

    /// <summary>Who decides: <c>human</c>, <c>shadow</c>, <c>assist</c>, <c>partial</c> (the model when confident) or <c>full</c>; see docs/manifest.md.</summary>
    [CommandLineFlag("--automation")]
    public AutomationLevel Automation { get; set; } = AutomationLevel.Partial;

    /// <summary>Share of automatic decisions also sent to a person (<see cref="Decision.Audit"/>).</summary>
    [CommandLineFlag("--audit-share")]
    public double AuditShare { get; set; } = 0.02;

    /// <summary>Replaces the bands of every model this device loads; a model without <see cref="BandSpec.Label"/> among two labels is refused.</summary>
    public BandSpec? Bands { get; set; }

    public IEnumerable<string> Validate()
    {
        if (!Enum.IsDefined(Automation))
        {
            yield return $"Decisions:Automation is {(int)Automation}; use human, shadow, assist, partial or full";
        }

        if (!(AuditShare is >= 0 and <= 1))
        {
            yield return $"Decisions:AuditShare is {AuditShare}; use 0-1 (a share of automatic decisions)";
        }

        if (Bands is not null)
        {
            var problems = new List<string>();
            ManifestValidator.ValidateBands(Bands, "Decisions:Bands", null, problems);
            foreach (var problem in problems)
            {
                yield return problem;
            }
        }
    }
}
