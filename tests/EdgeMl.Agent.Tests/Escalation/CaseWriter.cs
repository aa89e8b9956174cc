using EdgeMl.Agent.Decisions;

namespace EdgeMl.Agent.Tests.Escalation;

/// <summary>The child process of the case crash test: hands the case sink escalated frames f-0, f-1, ... and prints each after the sink returned, until killed.</summary>
internal static class CaseWriter
{
    public const string Mode = "case-writer";

    public static int Run(string path)
    {
        var (sink, outbox, _, _) = CaseFrames.Sink(path);
        using (outbox)
        {
            for (var i = 0; ; i++)
            {
                sink.ConsumeAsync(CaseFrames.Outcome($"f-{i}", Decision.Escalate, Band.Escalate, part: i), CancellationToken.None).AsTask().GetAwaiter().GetResult();
                Console.Out.WriteLine($"recorded f-{i}");
                Console.Out.Flush();
            }
        }
    }
}
