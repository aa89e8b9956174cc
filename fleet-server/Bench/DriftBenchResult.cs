namespace EdgeMl.Fleet.Bench;

/// <summary>
/// One scenario at one window size: how many windows after the change the drift alert came (median and worst over the
/// changed cameras, at the warning and the alert level; a camera never detected counts in <see cref="Undetected"/>),
/// and how often a camera without a change was alerted.
/// </summary>
internal sealed record DriftBenchResult(
    string Scenario,
    int FramesPerWindow,
    bool SmallWindows,
    double WarningDelayMedian,
    int WarningDelayMax,
    double AlertDelayMedian,
    int AlertDelayMax,
    int Undetected,
    int FalseAlarms,
    long UnchangedWindows)
{
    public double FalseAlarmsPerThousandWindows => UnchangedWindows == 0 ? 0 : FalseAlarms * 1000.0 / UnchangedWindows;
}
