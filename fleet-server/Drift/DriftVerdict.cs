using System.Globalization;

namespace EdgeMl.Fleet.Drift;

/// <summary>The verdict on one camera's window, with every signal's figures; in a small window the KS test decided.</summary>
internal sealed record DriftVerdict(DriftSubject Subject, DriftLevel Level, long Frames, bool SmallWindow, IReadOnlyList<SignalDrift> Signals)
{
    /// <summary>One line for an alert: the drifted signals with their PSI (and p-value where the KS test decided).</summary>
    public string Message
    {
        get
        {
            var drifted = Signals.Where(s => s.Discovered).Select(s => SmallWindow
                ? string.Create(CultureInfo.InvariantCulture, $"{s.Signal} PSI {s.Psi:0.00}, KS p {s.PValue:0.0e0}")
                : string.Create(CultureInfo.InvariantCulture, $"{s.Signal} PSI {s.Psi:0.00}"));
            return string.Create(
                CultureInfo.InvariantCulture,
                $"drift on {Subject.DeviceId} ({Subject.ModelName}:{Subject.ModelVersion}, {Frames} frames): {string.Join("; ", drifted)}");
        }
    }
}
