namespace EdgeMl.Agent.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes: no fixed sleeps.</summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {limit.TotalSeconds:F0} s waiting for {what}");
            }

            await Task.Delay(20);
        }
    }
}
