using EdgeMl.Agent.Tests.Escalation;
using EdgeMl.Agent.Tests.Outbox;

namespace EdgeMl.Agent.Tests.Infrastructure;

/// <summary>
/// The test assembly's entry point (the test runner does not use it): tests start this assembly
/// as a child process in a helper mode when they need a process they can kill -9.
/// </summary>
internal static class TestProgram
{
    public static int Main(string[] args) => args switch
    {
        [OutboxWriter.Mode, var path] => OutboxWriter.Run(path),
        [CaseWriter.Mode, var path] => CaseWriter.Run(path),
        _ => 0,
    };
}
