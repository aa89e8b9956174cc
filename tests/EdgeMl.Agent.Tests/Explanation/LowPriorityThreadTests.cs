using EdgeMl.Agent.Explanation;

namespace EdgeMl.Agent.Tests.Explanation;

public sealed class LowPriorityThreadTests
{
    [Fact]
    public async Task Lowers_only_the_calling_thread_to_nice_19()
    {
        var before = Nice();

        var (lowered, inside) = await Task.Factory.StartNew(
            () => (LowPriorityThread.Lower(), Nice()),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        Assert.True(lowered);
        Assert.Equal(LowPriorityThread.Nice, inside);
        Assert.Equal(before, Nice());
    }

    /// <summary>Field 19 of /proc/thread-self/stat, counted after the command name (which may hold spaces).</summary>
    private static int Nice()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
    }
}
