using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>What a <see cref="RolloutTally"/> keeps of one device between steps.</summary>
internal sealed class RolloutMember(RolloutDeviceRecord record, MemberReport report)
{
    public RolloutDeviceRecord Record { get; set; } = record;

    public MemberReport Report { get; set; } = report;

    /// <summary>Its windows on the rollout's model since it joined; null before the first (most members of a rollout without gates never have one).</summary>
    public TelemetrySummary? Own { get; set; }

    /// <summary>When the newest of those windows was received; null before the first.</summary>
    public DateTimeOffset? Heard { get; set; }

    public MemberStatus Status { get; set; } = MemberStatus.Pending;

    public bool Running { get; set; }
}
