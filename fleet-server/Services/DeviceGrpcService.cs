using System.Buffers;
using EdgeMl.Fleet.Devices;
using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Services;

/// <summary>What devices call: enrol, watch their desired state, download bundles, report status.</summary>
internal sealed class DeviceGrpcService(
    FleetStores stores,
    Enrolment enrolment,
    DeviceAuthenticator authenticator,
    DesiredStateHub hub,
    DesiredStateSigner signer,
    ModelRegistry registry,
    ArtifactStore artifacts,
    RolloutCoordinator coordinator,
    FleetKeys keys,
    DownloadStats downloads,
    DeviceBrokerAddress broker,
    IOptions<SyncOptions> options,
    TimeProvider time) : DeviceService.DeviceServiceBase
{
    public override async Task<EnrolResponse> Enrol(EnrolRequest request, ServerCallContext context)
    {
        DeviceInputLimits.Check(request);
        var enrolled = await enrolment.EnrolAsync(request.Token, request.Tags, request.Hostname, request.AgentVersion, request.ManifestFields, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.PermissionDenied, "the enrolment token is unknown, expired or already used; ask an admin for a new one (fleet-server device token)"));
        return new EnrolResponse
        {
            DeviceId = enrolled.DeviceId,
            DeviceSecret = enrolled.Secret,
            FleetPublicKey = ByteString.CopyFrom(keys.RootPublicKey),
            FleetKeyId = keys.RootKeyId,
            SigningKey = keys.Statement,
            MqttBroker = broker.For(context.Host),
        };
    }

    public override async Task WatchDesiredState(WatchDesiredStateRequest request, IServerStreamWriter<SignedDesiredState> responseStream, ServerCallContext context)
    {
        using var session = await authenticator.OpenSessionAsync(context);
        DeviceInputLimits.Check(request);
        var deviceId = session.DeviceId;
        using var subscription = hub.Subscribe(deviceId);
        var token = session.Token;
        await stores.Devices.TouchAsync(deviceId, time.GetUtcNow(), request.ManifestFields, token);
        coordinator.Nudge();
        var current = await stores.DesiredStates.GetAsync(deviceId, token);
        // Signed with its batch when the hub published it; a state this stream sends alone (the first, a re-send, a re-read) is a batch of one.
        SignedDesiredState? ready = null;
        var refresh = options.Value.StateLifetime / 3;
        // One re-send timer per stream, re-armed at each state: a new timer and linked source for every state cost a large
        // rollout 50,000 of each, all through the timer queue's lock.
        var tick = new CancellationTokenSource(refresh, time);
        var wait = CancellationTokenSource.CreateLinkedTokenSource(token, tick.Token);
        try
        {
            // A revocation cancels the waits below (token), never ends this loop quietly.
            while (!context.CancellationToken.IsCancellationRequested)
            {
                if (current is not null)
                {
                    await responseStream.WriteAsync(ready ?? await signer.SignAsync(current, token), context.CancellationToken);
                    ready = null;
                }

                // Wait for a change; re-send the same state before its signature expires.
                try
                {
                    if (!await subscription.Reader.WaitToReadAsync(wait.Token))
                    {
                        // Closed by a newer stream of this device.
                        return;
                    }

                    if (subscription.Reader.TryRead(out var next))
                    {
                        (current, ready) = (next.Record, next.Signed);
                    }

                    tick.CancelAfter(refresh);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    current = await stores.DesiredStates.GetAsync(deviceId, token);
                    // A cancelled source cannot be re-armed: the next wait gets new ones.
                    wait.Dispose();
                    tick.Dispose();
                    tick = new CancellationTokenSource(refresh, time);
                    wait = CancellationTokenSource.CreateLinkedTokenSource(token, tick.Token);
                }
            }
        }
        finally
        {
            wait.Dispose();
            tick.Dispose();
        }
    }

    public override async Task DownloadModel(DownloadModelRequest request, IServerStreamWriter<ModelChunk> responseStream, ServerCallContext context)
    {
        using var session = await authenticator.OpenSessionAsync(context);
        var deviceId = session.DeviceId;
        var token = session.Token;
        var id = $"{request.Name}:{request.Version}";
        var desired = await stores.DesiredStates.GetAsync(deviceId, token);
        if (desired is null || (desired.ActiveModel != id && desired.ShadowModel != id))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{id} is not in device {deviceId}'s desired state"));
        }

        var model = await registry.GetAsync(id, token);
        if (request.Offset < 0 || request.Offset > model.BundleSize)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange, $"offset {request.Offset} is outside the {model.BundleSize}-byte bundle"));
        }

        downloads.Started(request.Offset);
        var size = options.Value.DownloadChunkBytes;
        var chunk = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            await using var stream = new FileStream(artifacts.PathOf(model.Name, model.Version), FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
            stream.Position = request.Offset;
            var offset = request.Offset;
            int read;
            while ((read = await stream.ReadAsync(chunk.AsMemory(0, size), token)) > 0)
            {
                // Wrapped, not copied: WriteAsync has serialized the message into the response when it completes, so the buffer is free for the next read.
                await responseStream.WriteAsync(
                    new ModelChunk { Offset = offset, TotalSize = model.BundleSize, Data = UnsafeByteOperations.UnsafeWrap(chunk.AsMemory(0, read)) },
                    context.CancellationToken);
                offset += read;
                downloads.Sent(read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    public override async Task<StatusAck> ReportStatus(StatusReport request, ServerCallContext context)
    {
        var deviceId = await authenticator.AuthenticateAsync(context);
        DeviceInputLimits.Apply(request);
        var state = request.State.ToString().ToLowerInvariant();
        var model = StatusReportCheck.ModelOf(request.ModelName, request.ModelVersion);
        var report = new DeviceReport(deviceId, (long)request.Revision, model, state, NullIfEmpty(request.Reason), NullIfEmpty(request.ExecutionProvider), NullIfEmpty(request.AgentVersion), time.GetUtcNow());
        var desired = await stores.DesiredStates.GetAsync(deviceId, context.CancellationToken);
        if (!StatusReportCheck.IsCurrent(report, desired, await stores.Devices.GetAsync(deviceId, context.CancellationToken)))
        {
            // It answers a state a newer one replaced: nothing in it describes the device any more.
            return new StatusAck();
        }

        await stores.Devices.RecordReportAsync(report, context.CancellationToken);
        if (request.State is DeviceModelState.Failed or DeviceModelState.Refused or DeviceModelState.Stale)
        {
            // Kept in the audit log: the device's next report replaces its state, the reason must outlive it.
            await stores.Audit.AppendAsync(new AuditRecord(time.GetUtcNow(), deviceId, "device." + state, deviceId, $"{model ?? "no model"}: {request.Reason}"), context.CancellationToken);
        }

        coordinator.Nudge();
        return new StatusAck();
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
