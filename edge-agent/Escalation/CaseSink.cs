using System.Threading.Channels;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.LineIo;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Outcomes;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Escalation;

/// <summary>
/// Turns each escalated or audited outcome into a case (id, time, JPEG, probabilities, model version, automation level)
/// and writes it durably to the outbox, from where <see cref="CaseUploader"/> takes it to the server. An escalated
/// part in the hold lane is remembered under its case, so the inspector's verdict can release or scrap it.
/// </summary>
public sealed partial class CaseSink(
    OutboxStore outbox,
    HeldCases held,
    CaseCounters counters,
    CaseSignal signal,
    CaseQueueAlarm alarm,
    IOptions<LineIoOptions> line,
    TimeProvider time,
    ILogger<CaseSink> logger) : IFrameOutcomeSink
{
    public string Name => "cases";

    /// <summary>
    /// Cases are written as fast as the disk allows. Each waiting outcome holds its frame's image, so few may wait: a
    /// burst beyond them is dropped and counted (the dispatcher's drop count for this sink), and their parts stay held.
    /// </summary>
    public FrameOutcomeQueue Queue { get; } = new(64, BoundedChannelFullMode.DropNewest);

    public ValueTask ConsumeAsync(FrameOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome.Verdict.Decision is not (Decision.Escalate or Decision.Audit) || outcome.Model is not { } model || outcome.Probabilities.IsDefaultOrEmpty || outcome.Image.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        var jpeg = CaseJpeg.From(outcome.Image);
        if (jpeg is null)
        {
            LogUndecodable(logger, outcome.FrameId);
            return ValueTask.CompletedTask;
        }

        var upload = new CaseUpload
        {
            CaseId = Guid.CreateVersion7(time.GetUtcNow()).ToString("N"),
            CapturedAtUnixMs = outcome.Time.ToUnixTimeMilliseconds(),
            ImageJpeg = ByteString.CopyFrom(jpeg),
            ModelName = model.Name,
            ModelVersion = model.Version,
            AutomationLevel = (outcome.Verdict.Automation ?? AutomationLevel.Human).ToString().ToLowerInvariant(),
            Decision = outcome.Verdict.Decision == Decision.Audit ? CaseDecision.Audit : CaseDecision.Escalate,
            ModelCall = CallOf(outcome),
            FrameId = outcome.FrameId,
        };
        for (var i = 0; i < outcome.Labels.Count && i < outcome.Probabilities.Length; i++)
        {
            upload.Probabilities[outcome.Labels[i]] = Math.Clamp(float.IsFinite(outcome.Probabilities[i]) ? outcome.Probabilities[i] : 0, 0, 1);
        }

        var admission = outbox.Enqueue(OutboxKind.Case, upload.CaseId, upload.ToByteArray());
        if (admission == OutboxAdmission.Refused)
        {
            counters.CountRefused();
            LogRefused(logger, outcome.FrameId, outcome.PartId);
        }
        else
        {
            counters.CountRecorded();
            if (outcome.Verdict.Decision == Decision.Escalate && outcome.PartId is { } part)
            {
                held.Add(upload.CaseId, part);
            }

            LogRecorded(logger, upload.CaseId, outcome.FrameId, upload.Decision);
            signal.Notify();
        }

        alarm.Check(admission == OutboxAdmission.Refused);
        return ValueTask.CompletedTask;
    }

    /// <summary>What the model concluded: its band when confident, its leaning otherwise; none where a person decides alone.</summary>
    private ModelCall CallOf(FrameOutcome outcome) => outcome.Verdict switch
    {
        { Automation: AutomationLevel.Human or null } => ModelCall.None,
        { Band: Band.Pass } => ModelCall.Pass,
        { Band: Band.Reject } => ModelCall.Reject,
        _ => outcome.TopLabel == line.Value.PassLabel ? ModelCall.Pass : ModelCall.Reject,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "case {CaseId} ({Decision}) recorded for frame {Frame}")]
    private static partial void LogRecorded(ILogger logger, string caseId, string frame, CaseDecision decision);

    [LoggerMessage(Level = LogLevel.Error, Message = "no case for frame {Frame} (part {Part}): the outbox is full; the part stays in the hold lane until a person sees it on the line")]
    private static partial void LogRefused(ILogger logger, string frame, long? part);

    [LoggerMessage(Level = LogLevel.Warning, Message = "no case for frame {Frame}: its image does not decode")]
    private static partial void LogUndecodable(ILogger logger, string frame);
}
