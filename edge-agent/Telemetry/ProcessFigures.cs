namespace EdgeMl.Agent.Telemetry;

/// <summary>The agent process's CPU use between two samples (as a percentage of one core) and its resident memory; a few system calls per interval.</summary>
internal sealed class ProcessFigures(TimeProvider time)
{
    private TimeSpan _cpu = Environment.CpuUsage.TotalTime;
    private long _at = time.GetTimestamp();

    public (double CpuPercent, ulong RssBytes) Sample()
    {
        var cpu = Environment.CpuUsage.TotalTime;
        var now = time.GetTimestamp();
        var elapsed = time.GetElapsedTime(_at, now);
        var percent = elapsed > TimeSpan.Zero ? 100 * (cpu - _cpu) / elapsed : 0;
        (_cpu, _at) = (cpu, now);
        return (percent, (ulong)Environment.WorkingSet);
    }
}
