using System.Diagnostics;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Tests.Escalation;

public sealed class CaseCrashTests
{
    [Fact]
    public async Task An_agent_killed_while_writing_cases_keeps_every_case_it_recorded_once_and_whole()
    {
        using var dir = new TempDirectory();
        var path = dir.File("outbox.db");
        var recorded = new List<string>();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(CaseWriter).Assembly.Location);
        start.ArgumentList.Add(CaseWriter.Mode);
        start.ArgumentList.Add(path);
        using (var writer = Process.Start(start)!)
        {
            var error = writer.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (recorded.Count < 100)
            {
                var line = await writer.StandardOutput.ReadLineAsync(deadline.Token)
                    ?? throw new InvalidOperationException($"the writer stopped early: {await error}");
                recorded.Add(line["recorded ".Length..]);
            }

            // SIGKILL in the middle of writing cases.
            writer.Kill();
            await writer.WaitForExitAsync(deadline.Token);
            while (await writer.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                recorded.Add(line["recorded ".Length..]);
            }
        }

        using var store = new OutboxStore(Options.Create(new OutboxOptions { Path = path }), TimeProvider.System, NullLogger<OutboxStore>.Instance);
        var cases = store.ReadBatch(OutboxKind.Case, 100_000).Select(m => (m.Id, Upload: CaseUpload.Parser.ParseFrom(m.Payload))).ToList();
        var frames = cases.Select(c => c.Upload.FrameId).ToList();
        Assert.Equal(frames.Count, frames.Distinct().Count());
        Assert.Equal(cases.Count, cases.Select(c => c.Id).Distinct().Count());
        Assert.All(recorded, frame => Assert.Contains(frame, frames));

        // The kill may land after a commit and before its line: one case more than reported may be there.
        Assert.InRange(frames.Count, recorded.Count, recorded.Count + 1);
        Assert.All(cases, c => Assert.Equal((c.Id, CaseFrames.Jpeg.Length), (c.Upload.CaseId, c.Upload.ImageJpeg.Length)));
    }
}
