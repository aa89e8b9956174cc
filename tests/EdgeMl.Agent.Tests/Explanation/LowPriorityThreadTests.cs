using EdgeMl.Agent.Explanation;

namespace EdgeMl.Agent.Tests.Explanation;

public sealed class LowPriorityThreadTests
{
    [Fact]
    public void Lowers_only_the_calling_thread_to_the_idle_policy_and_nice_19()
    {
        var before = (Nice: Field(Nice), Policy: Field(Policy));

        // A thread of its own, joined: an awaited task's continuation could run on the lowered thread and read its values.
        (bool Lowered, int Nice, int Policy) result = default;
        var thread = new Thread(() => result = (LowPriorityThread.Lower(), Field(Nice), Field(Policy)));
        thread.Start();
        thread.Join();

        Assert.True(result.Lowered);
        Assert.Equal(LowPriorityThread.Nice, result.Nice);
        Assert.Equal(SchedIdle, result.Policy);
        Assert.Equal(before, (Field(Nice), Field(Policy)));
    }

    private const int SchedIdle = 5;

    // Fields 19 (nice) and 41 (scheduling policy) of /proc/thread-self/stat, counted from field 3, after the command name (which may hold spaces).
    private const int Nice = 16;
    private const int Policy = 38;

    private static int Field(int index)
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[index], System.Globalization.CultureInfo.InvariantCulture);
    }
}
