using EdgeMl.Fleet.Devices;
using EdgeMl.Fleet.Review;
using EdgeMl.Fleet.Storage;
using EdgeMl.Protos.Fleet;
using Grpc.Core;

namespace EdgeMl.Fleet.Services;

/// <summary>Case uploads from devices: checked, images written once, then the row; a repeat is acknowledged as a duplicate.</summary>
internal sealed class CaseGrpcService(FleetStores stores, DeviceAuthenticator authenticator, CaseImages images, TimeProvider time) : CaseService.CaseServiceBase
{
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

    private static CaseAck Duplicate(CaseRecord stored, string deviceId) => stored.DeviceId == deviceId
        ? new CaseAck { CaseId = stored.Id, Duplicate = true }
        : throw new RpcException(new Status(StatusCode.AlreadyExists, $"case id {stored.Id} belongs to another device; choose unique case ids (e.g. UUIDs)"));
}
