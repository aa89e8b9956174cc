using EdgeMl.Contracts.Packaging;
using EdgeMl.Contracts.Telemetry;
using Google.Protobuf.WellKnownTypes;

namespace EdgeMl.Fleet.Bench;

/// <summary>
/// A camera's telemetry without a camera: each frame's brightness, contrast, sharpness and confidence drawn from a
/// manifest's reference statistics (a bin by its share, then a value uniformly inside it), brightness moved by
/// <see cref="BrightnessOffset"/> (a darker belt, a failing lamp), counted in the agent's bucket layouts.
/// </summary>
internal sealed class SimulatedCamera
{
    /// <summary>The agent's input-statistics layouts (edge-agent/Telemetry/InputLayouts.cs), which the server only ever sees by their ids.</summary>
    public static readonly BucketLayout Brightness = BucketLayout.Linear(0, 256, 64);

    public static readonly BucketLayout Contrast = BucketLayout.Linear(0, 128, 64);

    public static readonly BucketLayout Sharpness = BucketLayout.Linear(0, 64, 64);

    private readonly Dictionary<string, HistogramSpec> _reference;
    private readonly Random _random;
    private long _windows;

    public SimulatedCamera(string deviceId, ModelManifest manifest, int seed)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        DeviceId = deviceId;
        Manifest = manifest;
        _reference = manifest.ReferenceStatistics ?? throw new ArgumentException($"manifest {manifest.Id} has no reference statistics to draw frames from", nameof(manifest));
        _random = new Random(seed);
    }

    public string DeviceId { get; }

    public ModelManifest Manifest { get; }

    /// <summary>Added to every frame's brightness (clipped to the pixel scale).</summary>
    public double BrightnessOffset { get; set; }

    /// <summary>One aggregate of <paramref name="frames"/> frames for the window ending at <paramref name="end"/>.</summary>
    public ModelAggregate Window(int frames, DateTimeOffset end, TimeSpan length)
    {
        var brightness = new Histogram(Brightness);
        var contrast = new Histogram(Contrast);
        var sharpness = new Histogram(Sharpness);
        var confidence = new Histogram(BucketLayout.Probability);
        for (var i = 0; i < frames; i++)
        {
            brightness.Record(Math.Clamp(Draw("brightness") + BrightnessOffset, 0, 255));
            contrast.Record(Draw("contrast"));
            sharpness.Record(Draw("sharpness"));
            confidence.Record(Draw("confidence"));
        }

        return new ModelAggregate
        {
            MessageId = $"{DeviceId}-{_windows++}",
            WindowStart = Timestamp.FromDateTimeOffset(end - length),
            WindowEnd = Timestamp.FromDateTimeOffset(end),
            Role = ModelRole.Active,
            ModelName = Manifest.Name,
            ModelVersion = Manifest.Version,
            Frames = (ulong)frames,
            Decisions = new DecisionCounts { Auto = (ulong)frames },
            Brightness = brightness.ToMessage(),
            Contrast = contrast.ToMessage(),
            Sharpness = sharpness.ToMessage(),
            Confidence = confidence.ToMessage(),
        };
    }

    private double Draw(string statistic)
    {
        var spec = _reference[statistic];
        var total = spec.Counts.Sum();
        var pick = _random.NextInt64(total);
        var bin = 0;
        for (; pick >= spec.Counts[bin]; bin++)
        {
            pick -= spec.Counts[bin];
        }

        return spec.Edges[bin] + (_random.NextDouble() * (spec.Edges[bin + 1] - spec.Edges[bin]));
    }
}
