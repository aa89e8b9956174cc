namespace EdgeMl.Agent.Tests.Infrastructure;

/// <summary>Waits for a condition by polling it until a deadline: no fixed sleeps.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, CancellationToken deadline)
    {
        while (!condition())
        {
            Assert.False(deadline.IsCancellationRequested, $"timed out waiting for {what}");
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
