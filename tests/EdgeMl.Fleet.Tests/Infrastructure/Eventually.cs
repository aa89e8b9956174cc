namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes: no fixed sleeps.</summary>
internal static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = await probe();
        while (!condition(last))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:F0} s waiting for {what}; last seen: {last}");
            }

            await Task.Delay(100);
            last = await probe();
        }

        return last;
    }
}
