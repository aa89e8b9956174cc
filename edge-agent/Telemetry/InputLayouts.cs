using EdgeMl.Contracts.Telemetry;

namespace EdgeMl.Agent.Telemetry;

/// <summary>
/// Fixed buckets of the input statistics, on the 0..255 pixel scale; each refines the buckets
/// train.py uses for the manifest's reference statistics, so a device's counts fold onto them exactly.
/// </summary>
internal static class InputLayouts
{
    public static BucketLayout Brightness { get; } = BucketLayout.Linear(0, 256, 64);

    public static BucketLayout Contrast { get; } = BucketLayout.Linear(0, 128, 64);

    public static BucketLayout Sharpness { get; } = BucketLayout.Linear(0, 64, 64);
}
