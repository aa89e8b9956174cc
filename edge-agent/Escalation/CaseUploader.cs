using EdgeMl.Agent.Explanation;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Sync;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Escalation;

/// <summary>
/// Takes cases from the outbox to the server, oldest first, each with its heatmap once that is made (or
/// <see cref="CaseOptions.HeatmapWait"/> has passed). A case leaves the device only when the server acknowledged it
/// (a re-upload after a crash is acknowledged as a duplicate); while the server is away, uploads are retried with backoff.
/// </summary>
internal sealed partial class CaseUploader(
    OutboxStore outbox,
    DeviceEnrolment enrolment,
    FleetConnection connection,
    CaseSignal signal,
    CaseCounters counters,
    CaseOptions options,
    IOptions<AgentOptions> agent,
    TimeProvider time,
    ILogger<CaseUploader> logger,
    ExplanationStore? heatmaps = null) : BackgroundService
{
    private const int BatchSize = 16;
    private static readonly TimeSpan HeatmapPoll = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var batch = outbox.ReadBatch(OutboxKind.Case, BatchSize);
            if (batch.Count == 0)
            {
                await WaitAsync(signal.WaitAsync(stoppingToken));
                continue;
            }

            try
            {
                var client = connection.Cases(await enrolment.EnsureAsync(stoppingToken));
                foreach (var message in batch)
                {
                    if (Parse(message) is not { } upload)
                    {
                        continue;
                    }

                    if (!WithHeatmap(upload, message.CreatedAt))
                    {
                        // The oldest case waits a moment for its heatmap; cases stay in order.
                        await WaitAsync(Task.Delay(HeatmapPoll, time, stoppingToken));
                        break;
                    }

                    await UploadAsync(client, message, upload, stoppingToken);
                }

                if (failures > 0)
                {
                    LogResumed(logger, failures);
                }

                failures = 0;
            }
            catch (Exception e) when (stoppingToken.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                return;
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException or InvalidOperationException or SqliteException)
            {
                if (failures++ == 0)
                {
                    LogWaiting(logger, outbox.Held(OutboxKind.Case).Messages, e.Message);
                }

                await WaitAsync(Task.Delay(Backoff(failures), time, stoppingToken));
            }
        }
    }

    private async Task UploadAsync(CaseService.CaseServiceClient client, OutboxMessage message, CaseUpload upload, CancellationToken stoppingToken)
    {
        try
        {
            var ack = await client.UploadCaseAsync(upload, deadline: time.GetUtcNow().UtcDateTime + options.UploadDeadline, cancellationToken: stoppingToken);
            outbox.Acknowledge(message.Id);
            counters.CountUploaded();
            LogUploaded(logger, upload.CaseId, ack.Duplicate);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.AlreadyExists)
        {
            // The server read the case and will never take it: keeping it would hold up every case behind it.
            outbox.Acknowledge(message.Id);
            counters.CountRejected();
            LogRejected(logger, upload.CaseId, upload.FrameId, e.Status.Detail);
        }

        ForgetHeatmap(upload.FrameId);
    }

    /// <summary>The case in <paramref name="message"/>; null (and removed, loudly) when its payload is not a case, which no retry would mend.</summary>
    private CaseUpload? Parse(OutboxMessage message)
    {
        try
        {
            return CaseUpload.Parser.ParseFrom(message.Payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            outbox.Acknowledge(message.Id);
            counters.CountRejected();
            LogUnreadable(logger, message.Id, e.Message);
            return null;
        }
    }

    /// <summary>Attaches the frame's heatmap when it is ready; false while it may still come.</summary>
    private bool WithHeatmap(CaseUpload upload, DateTimeOffset written)
    {
        if (heatmaps is null || !upload.Heatmap.IsEmpty)
        {
            return true;
        }

        var png = HeatmapPath(upload.FrameId);
        if (File.Exists(png))
        {
            upload.Heatmap = ByteString.CopyFrom(File.ReadAllBytes(png));
            return true;
        }

        return time.GetUtcNow() - written >= options.HeatmapWait;
    }

    private void ForgetHeatmap(string frameId)
    {
        if (heatmaps is not null)
        {
            File.Delete(HeatmapPath(frameId));
            File.Delete(Path.ChangeExtension(HeatmapPath(frameId), ".json"));
        }
    }

    private string HeatmapPath(string frameId) => Path.Combine(heatmaps!.Directory, ExplanationStore.FileName(frameId) + ".png");

    private TimeSpan Backoff(int failures)
    {
        var o = agent.Value;
        return TimeSpan.FromMilliseconds(Math.Min(o.MaxBackoff.TotalMilliseconds, o.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20))));
    }

    /// <summary>A wait that a stopping agent ends early without an exception.</summary>
    private static async Task WaitAsync(Task wait) => await wait.ContinueWith(_ => { }, TaskScheduler.Default);

    [LoggerMessage(Level = LogLevel.Debug, Message = "case {CaseId} uploaded (duplicate: {Duplicate})")]
    private static partial void LogUploaded(ILogger logger, string caseId, bool duplicate);

    [LoggerMessage(Level = LogLevel.Error, Message = "the server refused case {CaseId} (frame {Frame}) and will not take it again: {Detail}; it is removed from the device")]
    private static partial void LogRejected(ILogger logger, string caseId, string frame, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "outbox message {Id} is not a readable case ({Reason}); it is removed from the device")]
    private static partial void LogUnreadable(ILogger logger, string id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cases not uploaded ({Waiting} waiting): {Reason}; they stay on the device and are retried")]
    private static partial void LogWaiting(ILogger logger, long waiting, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "case uploads resumed after {Failures} failed attempts")]
    private static partial void LogResumed(ILogger logger, int failures);
}
