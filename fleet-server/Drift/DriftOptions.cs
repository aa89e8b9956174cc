namespace EdgeMl.Fleet.Drift;

/// <summary>How drift of the frames' input statistics and of the model's confidence is judged; bound from the <c>Drift</c> section and <c>EDGEML_DRIFT__*</c>.</summary>
internal sealed class DriftOptions
{
    public const string Section = "Drift";

    /// <summary>How often every camera's latest window is judged.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Length of the window of telemetry judged each time; also the unit of a camera's baseline.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Windows at the start of a camera's telemetry on a model version that form its own baseline, against which it is judged from then on (a camera over a darker belt is not in drift forever); 0 judges against the manifest's reference statistics instead.</summary>
    public int BaselineWindows { get; set; } = 3;

    /// <summary>Population stability index at which a signal counts as drifted (a warning).</summary>
    public double WarningPsi { get; set; } = 0.1;

    /// <summary>Population stability index at which drift is an alert.</summary>
    public double AlertPsi { get; set; } = 0.25;

    /// <summary>Windows with fewer frames than this are judged by a Kolmogorov-Smirnov test with false-discovery control across cameras instead of the PSI, which is noisy on few frames.</summary>
    public int SmallWindowFrames { get; set; } = 1000;

    /// <summary>Windows (and baselines) with fewer frames than this are not judged.</summary>
    public int MinFrames { get; set; } = 50;

    /// <summary>Benjamini-Hochberg false-discovery rate over all cameras' KS tests of one evaluation.</summary>
    public double FalseDiscoveryRate { get; set; } = 0.01;
}
