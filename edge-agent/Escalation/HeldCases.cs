using System.Collections.Concurrent;

namespace EdgeMl.Agent.Escalation;

/// <summary>
/// Which part in the hold lane waits for which case's verdict. Kept in memory only: the hold lane itself does not
/// survive a restart of the agent, so neither need the parts waiting in it.
/// </summary>
public sealed class HeldCases
{
    private readonly ConcurrentDictionary<string, long> _parts = new(StringComparer.Ordinal);

    public int Count => _parts.Count;

    public void Add(string caseId, long partId) => _parts[caseId] = partId;

    /// <summary>The part waiting for <paramref name="caseId"/>, once: a verdict sent again finds nothing.</summary>
    public bool TryTake(string caseId, out long partId) => _parts.TryRemove(caseId, out partId);
}
