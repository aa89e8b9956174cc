namespace EdgeMl.Agent.Bench;

/// <summary>Peak resident memory of this process, read from /proc (Linux).</summary>
internal static class ProcessMemory
{
    public static double PeakRssMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kilobytes = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
                return kilobytes / 1024.0;
            }
        }

        return double.NaN;
    }

    /// <summary>Starts a new peak, so a phase is measured on its own (writing 5 to clear_refs resets VmHWM).</summary>
    public static void ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without the reset the peak covers earlier phases too: an over- not an under-statement.
        }
    }
}
