using EdgeMl.Agent.Messaging;
using EdgeMl.Agent.Outbox;
using EdgeMl.Contracts.Telemetry;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Escalation;

/// <summary>
/// Raises the alert that the case queue is filling (DESIGN.md: cases are never dropped silently): a log line, a counter,
/// and a case-queue <see cref="DeviceEvent"/> in the outbox for the fleet, which raises outbox_near_full. Once per
/// crossing of the threshold, at every refused case, and once when the queue drains below it again.
/// </summary>
public sealed partial class CaseQueueAlarm(OutboxStore outbox, CaseOptions options, CaseCounters counters, TimeProvider time, ILogger<CaseQueueAlarm> logger)
{
    private bool _raised;

    /// <summary>Checks the queue after a case was written (or refused, <paramref name="refused"/>); called by the case sink only, one case at a time.</summary>
    public void Check(bool refused)
    {
        var (messages, bytes) = outbox.Held(OutboxKind.Case);
        var bounds = outbox.Bounds;
        var high = bytes >= options.AlertShare * bounds.MaxBytes || messages >= options.AlertShare * bounds.MaxMessages;
        if (!high && !refused)
        {
            if (_raised)
            {
                // Said once the queue is back below its share, so the fleet can clear the alert it raised.
                _raised = false;
                Record(DeviceEventKind.CaseQueueDrained, "case queue back below its alert share", messages, bytes, refused: false);
            }

            return;
        }

        if (_raised && !refused)
        {
            return;
        }

        _raised = true;
        counters.CountAlert();
        LogHigh(logger, messages, bytes, bounds.MaxMessages, bounds.MaxBytes, refused);
        Record(DeviceEventKind.CaseQueueFilling, refused ? "case refused: the outbox is full" : "case queue filling", messages, bytes, refused);
    }

    private void Record(DeviceEventKind kind, string detail, long messages, long bytes, bool refused)
    {
        var bounds = outbox.Bounds;
        var alert = DeviceEventRecorder.NewEvent(kind, time.GetUtcNow(), detail);
        alert.CaseQueue = new CaseQueueAlert
        {
            CasesWaiting = (ulong)messages,
            CaseBytes = (ulong)bytes,
            MaxBytes = (ulong)bounds.MaxBytes,
            MaxMessages = (ulong)bounds.MaxMessages,
            Refused = refused,
        };
        outbox.Enqueue(OutboxKind.Event, alert.MessageId, alert.ToByteArray());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "case queue filling: {Messages} cases ({Bytes} bytes) wait for upload, bounds {MaxMessages} messages / {MaxBytes} bytes (refused: {Refused}); restore the connection to the fleet server or raise Outbox:MaxBytes")]
    private static partial void LogHigh(ILogger logger, long messages, long bytes, long maxMessages, long maxBytes, bool refused);
}
