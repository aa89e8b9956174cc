using EdgeMl.Contracts.Packaging;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Agent.Decisions;

/// <summary>
/// The decision settings a rollout sent with the active model (<c>DesiredState.automation</c>, <c>bands</c>): they win over
/// the device's own settings and the manifest's bands. Compared by value, so a re-sent state swaps nothing.
/// </summary>
public sealed record FleetDecisions(AutomationLevel? Automation, FleetBands? Bands)
{
    /// <summary>The state's settings; null when it carries none (or only a level this agent does not know, which is then left to the device).</summary>
    public static FleetDecisions? From(DesiredState state)
    {
        AutomationLevel? level = Enum.TryParse<AutomationLevel>(state.Automation, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed : null;
        FleetBands? bands = state.Bands is { } b ? new FleetBands(b.Label, b.Lower, b.Upper) : null;
        return level is null && bands is null ? null : new FleetDecisions(level, bands);
    }

    /// <summary>The device's settings with these on top; the audit share stays the device's.</summary>
    public DecisionOptions Over(DecisionOptions device) => new()
    {
        Automation = Automation ?? device.Automation,
        AuditShare = device.AuditShare,
        Bands = Bands is { } b ? new BandSpec { Label = b.Label, Lower = b.Lower, Upper = b.Upper } : device.Bands,
    };
}

/// <summary>Bands on one label's probability, as a rollout sends them.</summary>
public readonly record struct FleetBands(string Label, double Lower, double Upper);
