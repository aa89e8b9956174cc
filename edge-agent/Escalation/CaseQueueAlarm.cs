using EdgeMl.Agent.Outbox;
using EdgeMl.Contracts.Telemetry;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Escalation;

/// <summary>
/// Raises the alert that the case queue is filling (DESIGN.md: cases are never dropped silently): a log line, a counter,
/// and a <see cref="CaseQueueAlert"/> event in the outbox for telemetry to publish. Once per crossing of the
/// threshold, and at every refused case.
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
            _raised = false;
            return;
        }

        if (_raised && !refused)
        {
            return;
        }

        _raised = true;
        counters.CountAlert();
        LogHigh(logger, messages, bytes, bounds.MaxMessages, bounds.MaxBytes, refused);
        var alert = new CaseQueueAlert
        {
            MessageId = Guid.CreateVersion7(time.GetUtcNow()).ToString("N"),
            At = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
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
