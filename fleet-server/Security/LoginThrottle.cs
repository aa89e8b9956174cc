using System.Net;

namespace EdgeMl.Fleet.Security;

/// <summary>
/// Slows password guessing on the login form: after <see cref="FailuresPerName"/> failed logins for one name, or
/// <see cref="FailuresPerAddress"/> from one client address, within <see cref="Window"/>, further attempts are
/// refused without checking the password until the oldest failure leaves the window. Per name stops a guesser
/// who spreads over addresses; per address one who sprays many names. Kept in memory: each replica counts its own,
/// which multiplies an attacker's budget by the replica count at most.
/// </summary>
internal sealed class LoginThrottle(TimeProvider time)
{
    public const int FailuresPerName = 5;
    public const int FailuresPerAddress = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    // Past this many tracked keys, keys whose failures have all left the window are dropped, so a spray of
    // names cannot grow memory without bound.
    private const int PruneAbove = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    /// <summary>How long until a login for <paramref name="name"/> from <paramref name="address"/> is heard again; null when it may try now.</summary>
    public TimeSpan? RetryAfter(string name, IPAddress? address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var byName = Blocked(NameKey(name), FailuresPerName, now);
            var byAddress = Blocked(AddressKey(address), FailuresPerAddress, now);
            return byName is null ? byAddress : byAddress is null ? byName : (byName > byAddress ? byName : byAddress);
        }
    }

    public void Failed(string name, IPAddress? address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_failures.Count > PruneAbove)
            {
                foreach (var key in _failures.Where(f => f.Value.Peek() <= now - Window).Select(f => f.Key).ToList())
                {
                    _failures.Remove(key);
                }
            }

            Record(NameKey(name), FailuresPerName, now);
            Record(AddressKey(address), FailuresPerAddress, now);
        }
    }

    /// <summary>A right password clears the name's failures (not the address's: one known password must not open a spray).</summary>
    public void Succeeded(string name)
    {
        lock (_lock)
        {
            _failures.Remove(NameKey(name));
        }
    }

    private static string NameKey(string name) => "name:" + name;

    private static string AddressKey(IPAddress? address) => "address:" + (address?.ToString() ?? "unknown");

    private TimeSpan? Blocked(string key, int limit, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(key, out var failures))
        {
            return null;
        }

        while (failures.Count > 0 && failures.Peek() <= now - Window)
        {
            failures.Dequeue();
        }

        if (failures.Count == 0)
        {
            _failures.Remove(key);
            return null;
        }

        // The queue holds at most `limit` failures (see Record), so its oldest is the one whose leaving opens the door.
        return failures.Count >= limit ? failures.Peek() + Window - now : null;
    }

    private void Record(string key, int limit, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(key, out var failures))
        {
            _failures[key] = failures = new Queue<DateTimeOffset>();
        }

        failures.Enqueue(now);
        if (failures.Count > limit)
        {
            failures.Dequeue();
        }
    }
}
