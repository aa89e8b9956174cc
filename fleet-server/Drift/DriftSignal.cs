using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Drift;

/// <summary>One distribution watched for drift: its key in the manifest's reference statistics and its histogram in telemetry.</summary>
internal sealed record DriftSignal(string Name, Func<TelemetrySummary, Histogram?> Histogram)
{
    /// <summary>The input statistics of the frames and the model's confidence, as train.py names them.</summary>
    public static IReadOnlyList<DriftSignal> All { get; } =
    [
        new("brightness", s => s.Brightness),
        new("contrast", s => s.Contrast),
        new("sharpness", s => s.Sharpness),
        new("confidence", s => s.Confidence),
    ];
}
