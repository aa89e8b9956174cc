using System.Collections.Concurrent;

namespace EdgeMl.Fleet.Review;

/// <summary>
/// Wakes a device's verdict stream when an inspector decides one of its cases on this replica. Only a wake-up: the
/// stream reads the verdicts from the database, and polls it as well, for verdicts given on other replicas.
/// </summary>
internal sealed class VerdictHub
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    /// <summary>Completes at the next <see cref="Notify"/> for <paramref name="deviceId"/>; take it before reading, so no verdict slips between.</summary>
    public Task Next(string deviceId) =>
        _waiting.GetOrAdd(deviceId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Notify(string deviceId)
    {
        if (_waiting.TryRemove(deviceId, out var waiting))
        {
            waiting.TrySetResult();
        }
    }
}
