using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Faults;

/// <summary>
/// Counts what the fault-injection tests did: faults injected, survived, and data lost. When the
/// collection ends it writes the table to artifacts/fault-injection.txt, which scripts/test prints.
/// </summary>
public sealed class FaultLedger : IDisposable
{
    private readonly ConcurrentDictionary<string, FaultCount> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _notRun = new(StringComparer.Ordinal);

    public static string ReportPath { get; } = Path.Combine(RepoPaths.Root, "artifacts", "fault-injection.txt");

    /// <summary>Adds one injected fault of <paramref name="kind"/>, whether it was survived and how many items of data it lost.</summary>
    public void Record(string kind, bool survived, long lost = 0) =>
        _counts.AddOrUpdate(
            kind,
            _ => new FaultCount(1, survived ? 1 : 0, lost),
            (_, c) => new FaultCount(c.Injected + 1, c.Survived + (survived ? 1 : 0), c.Lost + lost));

    /// <summary>A fault this machine cannot inject (say, no right to mount a file system); listed with its reason, never counted as survived.</summary>
    public void NotRun(string kind, string reason) => _notRun[kind] = reason;

    public void Dispose()
    {
        if (_counts.IsEmpty && _notRun.IsEmpty)
        {
            return;
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"fault",-52} {"injected",8} {"survived",8} {"lost",6}");
        foreach (var (kind, count) in _counts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{kind,-52} {count.Injected,8} {count.Survived,8} {count.Lost,6}");
        }

        var total = _counts.Values.Aggregate(new FaultCount(0, 0, 0), (a, c) => new FaultCount(a.Injected + c.Injected, a.Survived + c.Survived, a.Lost + c.Lost));
        text.AppendLine(CultureInfo.InvariantCulture, $"{"total",-52} {total.Injected,8} {total.Survived,8} {total.Lost,6}");
        foreach (var (kind, reason) in _notRun.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"not run on this machine: {kind}: {reason}");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(ReportPath)!);
        File.WriteAllText(ReportPath, text.ToString());
    }

    private sealed record FaultCount(long Injected, long Survived, long Lost);
}

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultLedger>
{
    public const string Name = "Fault injection";
}
