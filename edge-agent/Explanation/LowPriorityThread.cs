using System.Runtime.InteropServices;

namespace EdgeMl.Agent.Explanation;

/// <summary>
/// Heatmaps must not slow scoring down, and .NET's <c>Thread.Priority</c> does nothing on Linux: the kernel's own
/// per-thread nice value does. With one intra-op thread ONNX Runtime computes on the calling thread, so a niced
/// thread makes the explainer's work yield to the scoring workers whenever both want a core.
/// </summary>
internal static partial class LowPriorityThread
{
    /// <summary>The lowest priority Linux gives a normal thread.</summary>
    public const int Nice = 19;

    private const int PrioProcess = 0;

    /// <summary>Lowers the calling thread (only it); false where the system has no per-thread nice (not Linux) or refused.</summary>
    public static bool Lower()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return SetPriority(PrioProcess, GetThreadId(), Nice) == 0;
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

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int SetPriority(int which, int who, int priority);
}
