using System.Globalization;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Pipeline;

namespace EdgeMl.Agent.Batch;

/// <summary>The columns of one scored file, as the CSV and SQLite writers store them.</summary>
internal static class ScoreRow
{
    public static string[] Header(IReadOnlyList<string> labels) =>
        ["file", "prediction", "confidence", "decision", "automation", .. labels.Select(l => "p_" + l), "model_version", "latency_ms", "error"];

    public static string Decision(Decision decision) => decision switch
    {
        Decisions.Decision.Auto => "auto",
        Decisions.Decision.Escalate => "escalate",
        Decisions.Decision.Audit => "audit",
        _ => "error",
    };

    /// <summary>The level as it is configured (<c>partial</c>); empty for a frame that never reached a model.</summary>
    public static string Automation(AutomationLevel? level) => level?.ToString().ToLowerInvariant() ?? "";

    public static double LatencyMs(FrameSlot slot, TimeProvider time) =>
        time.GetElapsedTime(slot.StartTimestamp, slot.EndTimestamp).TotalMilliseconds;

    public static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
