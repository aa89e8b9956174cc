using System.Globalization;

namespace EdgeMl.Fleet.Bench;

/// <summary>
/// One measured phase of <c>bench-telemetry</c>: how many of the expected aggregates got through, in how long, and the CPU this
/// process spent on them (publishers, broker when embedded, ingestion), which a machine shared with other work disturbs less
/// than the wall clock; and the CPU an external broker's process on this machine spent meanwhile, when it was given.
/// </summary>
internal sealed record TelemetryBenchPhase(string Name, int Done, int Expected, double Seconds, TimeSpan Cpu, TimeSpan? BrokerCpu = null)
{
    public double PerSecond => Done / Seconds;

    public double CpuMicrosecondsEach => Cpu.TotalMicroseconds / Math.Max(1, Done);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Name}: {Done} of {Expected} in {Seconds:F2} s = {PerSecond:F0} aggregates/s, {Expected - Done} lost; this process {CpuMicrosecondsEach:F0} us CPU per aggregate") +
        (BrokerCpu is { } broker
            ? string.Create(CultureInfo.InvariantCulture, $"; the broker's process {broker.TotalMicroseconds / Math.Max(1, Done):F0} us ({broker.TotalSeconds / Seconds:P0} of one core)")
            : "");
}
