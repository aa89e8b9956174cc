using EdgeMl.Fleet.Devices;
using EdgeMl.Fleet.Review;
using EdgeMl.Fleet.Storage;
using EdgeMl.Protos.Fleet;
using Grpc.Core;

namespace EdgeMl.Fleet.Services;

/// <summary>Case uploads from devices (checked, images written once, then the row; a repeat is acknowledged as a duplicate), and the verdicts owed back to them.</summary>
internal sealed class CaseGrpcService(FleetStores stores, DeviceAuthenticator authenticator, CaseImages images, VerdictHub verdicts, TimeProvider time) : CaseService.CaseServiceBase
{
    // Verdicts given on another replica reach a device's stream within this time; those given on this one at once.
    private static readonly TimeSpan VerdictPoll = TimeSpan.FromSeconds(5);
    private const int VerdictBatch = 100;
    private const int MaxAcknowledged = 1000;

    public override async Task<CaseAck> UploadCase(CaseUpload request, ServerCallContext context)
    {
        var deviceId = await authenticator.AuthenticateAsync(context);
        var token = context.CancellationToken;
        if (CaseUploadCheck.Problems(request) is { Count: > 0 } problems)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "case refused: " + string.Join("; ", problems)));
        }

        if (await stores.Cases.GetAsync(request.CaseId, token) is { } stored)
        {
            return Duplicate(stored, deviceId);
        }

        // Images before the row: a stored case always has its image, and a device whose upload dies in between simply retries.
        await images.WriteAsync(request.CaseId, request.ImageJpeg.Memory, request.Heatmap.Memory, token);
        var device = await stores.Devices.GetAsync(deviceId, token);
        var record = new CaseRecord(
            request.CaseId,
            deviceId,
            device?.Tags.GetValueOrDefault("site") ?? "",
            device?.Tags.GetValueOrDefault("line") ?? "",
            DateTimeOffset.FromUnixTimeMilliseconds(request.CapturedAtUnixMs),
            time.GetUtcNow(),
            request.ModelName,
            request.ModelVersion,
            request.AutomationLevel,
            request.Decision == CaseDecision.Audit ? "audit" : "escalate",
            request.ModelCall switch { ModelCall.Pass => "pass", ModelCall.Reject => "reject", _ => "none" },
            request.Probabilities.ToDictionary(),
            !request.Heatmap.IsEmpty);
        if (!await stores.Cases.AddAsync(record, token))
        {
            return Duplicate((await stores.Cases.GetAsync(request.CaseId, token))!, deviceId);
        }

        return new CaseAck { CaseId = request.CaseId };
    }

    public override async Task WatchVerdicts(WatchVerdictsRequest request, IServerStreamWriter<CaseVerdict> responseStream, ServerCallContext context)
    {
        using var session = await authenticator.OpenSessionAsync(context);
        var deviceId = session.DeviceId;
        var token = session.Token;
        var sent = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            // A revocation cancels the reads below (token), never ends this loop quietly.
            while (!context.CancellationToken.IsCancellationRequested)
            {
                var wake = verdicts.Next(deviceId);
                foreach (var decided in await stores.Cases.OwedVerdictsAsync(deviceId, VerdictBatch, token))
                {
                    // Sent once per stream: an unacknowledged verdict comes again on the device's next stream.
                    if (sent.Add(decided.Id))
                    {
                        await responseStream.WriteAsync(
                            new CaseVerdict
                            {
                                CaseId = decided.Id,
                                Verdict = decided.Verdict ?? "",
                                Inspector = decided.ReviewedBy ?? "",
                                DecidedAtUnixMs = decided.ReviewedAt?.ToUnixTimeMilliseconds() ?? 0,
                            },
                            context.CancellationToken);
                    }
                }

                await wake.WaitAsync(VerdictPoll, time, token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The device went away; its verdicts stay owed.
        }
    }

    public override async Task<AcknowledgeVerdictsResponse> AcknowledgeVerdicts(AcknowledgeVerdictsRequest request, ServerCallContext context)
    {
        var deviceId = await authenticator.AuthenticateAsync(context);
        if (request.CaseIds.Count > MaxAcknowledged)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"acknowledge at most {MaxAcknowledged} verdicts per call (got {request.CaseIds.Count})"));
        }

        await stores.Cases.AcknowledgeVerdictsAsync(deviceId, request.CaseIds, time.GetUtcNow(), context.CancellationToken);
        return new AcknowledgeVerdictsResponse();
    }

    private static CaseAck Duplicate(CaseRecord stored, string deviceId) => stored.DeviceId == deviceId
        ? new CaseAck { CaseId = stored.Id, Duplicate = true }
        : throw new RpcException(new Status(StatusCode.AlreadyExists, $"case id {stored.Id} belongs to another device; choose unique case ids (e.g. UUIDs)"));
}
