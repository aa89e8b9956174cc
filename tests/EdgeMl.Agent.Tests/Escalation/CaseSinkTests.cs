using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Agent.Tests.Escalation;

public sealed class CaseSinkTests
{
    [Fact]
    public async Task Escalated_and_audited_frames_become_cases_in_the_outbox_and_confident_ones_do_not()
    {
        using var dir = new TempDirectory();
        var (sink, outbox, held, counters) = CaseFrames.Sink(dir.File("outbox.db"));
        using (outbox)
        {
            await sink.ConsumeAsync(CaseFrames.Outcome("unsure.jpg", Decision.Escalate, Band.Escalate, part: 7), CancellationToken.None);
            await sink.ConsumeAsync(CaseFrames.Outcome("sampled.jpg", Decision.Audit, Band.Pass, part: 8), CancellationToken.None);
            await sink.ConsumeAsync(CaseFrames.Outcome("sure.jpg", Decision.Auto, Band.Reject, part: 9), CancellationToken.None);

            var cases = outbox.ReadBatch(OutboxKind.Case, 10).Select(m => (m.Id, Upload: CaseUpload.Parser.ParseFrom(m.Payload))).ToList();
            Assert.Equal(["unsure.jpg", "sampled.jpg"], cases.Select(c => c.Upload.FrameId));
            Assert.All(cases, c => Assert.Equal(c.Id, c.Upload.CaseId));
            var (escalated, audited) = (cases[0].Upload, cases[1].Upload);
            Assert.Equal((CaseDecision.Escalate, ModelCall.Reject, "partial"), (escalated.Decision, escalated.ModelCall, escalated.AutomationLevel));
            Assert.Equal((CaseDecision.Audit, ModelCall.Pass), (audited.Decision, audited.ModelCall));
            Assert.Equal(("crack-detector", "1.0.0"), (escalated.ModelName, escalated.ModelVersion));
            Assert.Equal(0.6, escalated.Probabilities["crack"], 5);
            Assert.Equal(CaseFrames.Jpeg, escalated.ImageJpeg.ToByteArray());

            // Only the escalated part waits in the hold lane; the audited one went its way.
            Assert.True(held.TryTake(cases[0].Id, out var part));
            Assert.Equal(7, part);
            Assert.False(held.TryTake(cases[1].Id, out _));
            Assert.Equal(2, counters.Recorded);
        }
    }

    [Fact]
    public async Task A_frame_that_is_not_jpeg_travels_as_jpeg_and_a_human_only_case_names_no_model_call()
    {
        using var dir = new TempDirectory();
        var (sink, outbox, _, _) = CaseFrames.Sink(dir.File("outbox.db"));
        using (outbox)
        {
            await sink.ConsumeAsync(CaseFrames.Outcome("frame.png", Decision.Escalate, Band.Reject, image: CaseFrames.Png, automation: AutomationLevel.Human), CancellationToken.None);

            var upload = CaseUpload.Parser.ParseFrom(Assert.Single(outbox.ReadBatch(OutboxKind.Case, 10)).Payload);
            Assert.True(upload.ImageJpeg.Span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]));
            Assert.Equal((ModelCall.None, "human"), (upload.ModelCall, upload.AutomationLevel));
        }
    }

    [Fact]
    public async Task Alerts_once_when_cases_fill_the_alert_share_then_at_every_case_the_full_outbox_refuses()
    {
        using var dir = new TempDirectory();
        var (sink, outbox, held, counters) = CaseFrames.Sink(dir.File("outbox.db"), maxMessages: 16, alertShare: 0.5);
        using (outbox)
        {
            for (var i = 0; i < 20; i++)
            {
                await sink.ConsumeAsync(CaseFrames.Outcome($"f-{i}", Decision.Escalate, Band.Escalate, part: i), CancellationToken.None);
            }

            // 8 cases reach half the outbox: one alert (an event, which takes a place too); 15 cases fill it; 5 are refused.
            Assert.Equal((15, 5), (counters.Recorded, counters.Refused));
            Assert.Equal(1 + 5, counters.Alerts);
            Assert.Equal(15, held.Count);
            var alert = DeviceEvent.Parser.ParseFrom(Assert.Single(outbox.ReadBatch(OutboxKind.Event, 10)).Payload);
            Assert.Equal(DeviceEventKind.CaseQueueFilling, alert.Kind);
            Assert.Equal((8UL, 16UL, false), (alert.CaseQueue.CasesWaiting, alert.CaseQueue.MaxMessages, alert.CaseQueue.Refused));
        }
    }
}
