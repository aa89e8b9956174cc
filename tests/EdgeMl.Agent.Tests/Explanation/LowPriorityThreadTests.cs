using EdgeMl.Agent.Explanation;

namespace EdgeMl.Agent.Tests.Explanation;

public sealed class LowPriorityThreadTests
{
    [Fact]
    public void Lowers_only_the_calling_thread_to_nice_19()
    {
        var before = Nice();

        // A thread of its own, joined: an awaited task's continuation could run on the lowered thread and read its nice value.
        (bool Lowered, int Inside) result = default;
        var thread = new Thread(() => result = (LowPriorityThread.Lower(), Nice()));
        thread.Start();
        thread.Join();

        Assert.True(result.Lowered);
        Assert.Equal(LowPriorityThread.Nice, result.Inside);
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
