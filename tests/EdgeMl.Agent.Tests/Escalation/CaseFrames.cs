using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Escalation;
using EdgeMl.Agent.LineIo;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Outcomes;
using EdgeMl.Agent.Tests.Outcomes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace EdgeMl.Agent.Tests.Escalation;

/// <summary>Frames with real images, and a case sink over a real outbox, for the case tests.</summary>
internal static class CaseFrames
{
    public static readonly byte[] Jpeg = Encode(SKEncodedImageFormat.Jpeg);

    public static readonly byte[] Png = Encode(SKEncodedImageFormat.Png);

    public static FrameOutcome Outcome(string frameId, Decision decision, Band band, long? part = null, byte[]? image = null, AutomationLevel automation = AutomationLevel.Partial) =>
        SampleOutcomes.Scored(frameId, label: 1, confidence: 0.6f, decision: decision) with
        {
            Verdict = new Verdict(1, 0.6f, decision, band, automation),
            PartId = part,
            Image = image ?? Jpeg,
        };

    public static (CaseSink Sink, OutboxStore Outbox, HeldCases Held, CaseCounters Counters) Sink(string outboxPath, long maxMessages = 100_000, double alertShare = 0.8)
    {
        var outbox = new OutboxStore(Options.Create(new OutboxOptions { Path = outboxPath, MaxMessages = maxMessages }), TimeProvider.System, NullLogger<OutboxStore>.Instance);
        var held = new HeldCases();
        var counters = new CaseCounters();
        var alarm = new CaseQueueAlarm(outbox, new CaseOptions { AlertShare = alertShare }, counters, TimeProvider.System, NullLogger<CaseQueueAlarm>.Instance);
        var sink = new CaseSink(outbox, held, counters, new CaseSignal(), alarm, Options.Create(new LineIoOptions()), TimeProvider.System, NullLogger<CaseSink>.Instance);
        return (sink, outbox, held, counters);
    }

    private static byte[] Encode(SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(16, 16);
        bitmap.Erase(new SKColor(90, 90, 90));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }
}
