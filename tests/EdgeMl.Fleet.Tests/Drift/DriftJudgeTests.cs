using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Bench;
using EdgeMl.Fleet.Drift;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Tests.Drift;

public sealed class DriftJudgeTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);
    private static readonly IReadOnlyDictionary<string, ReferenceBins> Bins =
        ReferenceBinsTests.Manifest.ReferenceStatistics!.ToDictionary(r => r.Key, r => ReferenceBins.From(r.Value)!);

    [Fact]
    public void Judges_many_frames_by_psi_darkened_frames_past_the_alert_level_unchanged_ones_not_at_all()
    {
        var verdicts = DriftJudge.Judge([Sample("same", frames: 3000, offset: 0, seed: 1), Sample("dark", frames: 3000, offset: -40, seed: 2)], new DriftOptions { BaselineWindows = 0 });

        Assert.All(verdicts, v => Assert.False(v.SmallWindow));
        Assert.Equal(DriftLevel.None, verdicts[0].Level);
        Assert.Equal(DriftLevel.Alert, verdicts[1].Level);
        Assert.Equal(["brightness"], verdicts[1].Signals.Where(s => s.Discovered).Select(s => s.Signal));
        Assert.StartsWith("drift on dark (crack-detector:v3, 3000 frames): brightness PSI", verdicts[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Judges_small_windows_by_ks_with_false_discovery_control_across_cameras()
    {
        var samples = Enumerable.Range(0, 60).Select(i => Sample($"cam-{i}", frames: 200, offset: 0, seed: 100 + i)).Append(Sample("dark", frames: 200, offset: -40, seed: 7)).ToList();

        var verdicts = DriftJudge.Judge(samples, new DriftOptions());

        Assert.All(verdicts, v => Assert.True(v.SmallWindow));
        Assert.Equal(["dark"], verdicts.Where(v => v.Level > DriftLevel.None).Select(v => v.Subject.DeviceId));
        Assert.Contains("KS p", verdicts[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Leaves_a_window_with_too_few_frames_inconclusive()
    {
        var verdict = DriftJudge.Judge([Sample("quiet", frames: 20, offset: -40, seed: 3)], new DriftOptions()).Single();

        Assert.Equal(DriftLevel.Inconclusive, verdict.Level);
    }

    // A camera's window beside a large baseline drawn from the manifest's reference, as the monitor builds it.
    private static DriftSample Sample(string device, int frames, double offset, int seed)
    {
        var baseline = new SimulatedCamera(device, ReferenceBinsTests.Manifest, seed + 10_000);
        var camera = new SimulatedCamera(device, ReferenceBinsTests.Manifest, seed) { BrightnessOffset = offset };
        var reference = TelemetrySummary.Of([baseline.Window(20_000, T0, TimeSpan.FromMinutes(15))]);
        var current = TelemetrySummary.Of([camera.Window(frames, T0, TimeSpan.FromMinutes(5))]);
        return new DriftSample(new DriftSubject(device, "crack-detector", "v3"), current.Frames, DriftMonitor.Fold(reference, Bins), DriftMonitor.Fold(current, Bins));
    }
}
