using System.Runtime.InteropServices;

namespace EdgeMl.Agent.Explanation;

/// <summary>
/// Heatmaps must not slow scoring down, and .NET's <c>Thread.Priority</c> does nothing on Linux: the kernel's own
/// per-thread scheduling does. With one intra-op thread ONNX Runtime computes on the calling thread, so a thread under
/// <c>SCHED_IDLE</c> (it runs only on a core nothing else wants; a nice value of 19 still takes a share of a busy core)
/// makes the explainer's work wait for the scoring workers whenever both want a core.
/// </summary>
internal static partial class LowPriorityThread
{
    /// <summary>The lowest priority Linux gives a normal thread.</summary>
    public const int Nice = 19;

    private const int PrioProcess = 0;

    private const int SchedIdle = 5;

    /// <summary>Lowers the calling thread (only it); false where the system has no per-thread scheduling (not Linux) or refused.</summary>
    public static bool Lower()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            var thread = GetThreadId();
            var idle = SetScheduler(thread, SchedIdle, new SchedParam(0)) == 0;
            // Nice as well: it is what a kernel without SCHED_IDLE (or one that refused it) still honours.
            return SetPriority(PrioProcess, thread, Nice) == 0 || idle;
        }
        catch (EntryPointNotFoundException)
        {
            // glibc before 2.30 has no gettid(); the heatmaps then run at normal priority.
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int GetThreadId();

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int SetScheduler(int pid, int policy, in SchedParam param);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int SetPriority(int which, int who, int priority);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct SchedParam(int Priority);
}
