using EdgeMl.Fleet.Devices;
using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Telemetry;
using EdgeMl.Protos.Fleet;
using Grpc.Core;

namespace EdgeMl.Fleet.Services;

/// <summary>What fleet admins call: registry, enrolment tokens, devices, rollouts, audit. Every call needs the admin token.</summary>
internal sealed class AdminGrpcService(
    FleetStores stores,
    FleetCredentials credentials,
    ModelRegistry registry,
    Enrolment enrolment,
    RolloutEngine engine,
    RolloutStatusReader statuses,
    DesiredStateHub hub,
    DeviceRevocations revocations,
    DevicePresence presence,
    DesiredStateNotices notices,
    IBrokerAccounts broker,
    TimeProvider time) : AdminService.AdminServiceBase
{
    public override async Task<ModelInfo> PushModel(IAsyncStreamReader<PushModelRequest> requestStream, ServerCallContext context)
    {
        // Checked before the first chunk is read: an anonymous caller gets nothing buffered.
        var actor = Authorize(context);
        using var model = new MemoryStream();
        byte[]? manifest = null;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var part = requestStream.Current;
            if (part.ManifestJson.Length > 0)
            {
                manifest = manifest is null && model.Length == 0
                    ? part.ManifestJson.ToByteArray()
                    : throw new RpcException(new Status(StatusCode.InvalidArgument, "manifest_json belongs in the first message of a push only"));
            }

            if (model.Length + part.ModelOnnx.Length > ModelRegistry.MaxModelBytes)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, $"model.onnx is larger than {ModelRegistry.MaxModelBytes} bytes, the most the registry takes"));
            }

            model.Write(part.ModelOnnx.Span);
        }

        return manifest is null
            ? throw new RpcException(new Status(StatusCode.InvalidArgument, "a push starts with manifest_json"))
            : ToInfo(await registry.PushAsync(manifest, model.ToArray(), actor, context.CancellationToken));
    }

    public override async Task<ModelList> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        Authorize(context);
        var list = new ModelList();
        list.Models.AddRange((await stores.Models.ListAsync(request.Name.Length == 0 ? null : request.Name, context.CancellationToken)).Select(ToInfo));
        return list;
    }

    public override async Task<EnrolmentToken> CreateEnrolmentToken(CreateEnrolmentTokenRequest request, ServerCallContext context)
    {
        var actor = Authorize(context);
        var lifetime = TimeSpan.FromSeconds(request.TtlSeconds > 0 ? request.TtlSeconds : 24 * 3600);
        var (token, expires) = await enrolment.IssueTokenAsync(lifetime, actor, context.CancellationToken);
        return new EnrolmentToken { Token = token, ExpiresAtUnixMs = expires.ToUnixTimeMilliseconds() };
    }

    public override async Task<DeviceList> ListDevices(ListDevicesRequest request, ServerCallContext context)
    {
        Authorize(context);
        var selector = TagSelector.Parse(request.Selector);
        var unreadBy = request.CannotRead.Length == 0
            ? null
            : AgentFit.Unread((await registry.GetAsync(request.CannotRead, context.CancellationToken)).ManifestJson, await stores.Devices.ManifestFieldsAsync(context.CancellationToken));
        var desired = (await stores.DesiredStates.ListAsync(context.CancellationToken)).ToDictionary(d => d.DeviceId, StringComparer.Ordinal);
        var list = new DeviceList();
        foreach (var device in (await stores.Devices.ListAsync(context.CancellationToken)).Where(d => selector.Matches(d.Tags)))
        {
            var unread = unreadBy?.GetValueOrDefault(device.Id);
            if (unreadBy is not null && unread is null)
            {
                continue;
            }

            var info = new DeviceInfo
            {
                DeviceId = device.Id,
                Online = presence.IsOnline(device.Id),
                StreamHere = hub.IsOnline(device.Id),
                ActiveModel = device.ActiveModel ?? "",
                DesiredModel = desired.GetValueOrDefault(device.Id)?.ActiveModel ?? "",
                State = Enum.TryParse<DeviceModelState>(device.ReportedState, ignoreCase: true, out var state) ? state : DeviceModelState.Unspecified,
                Reason = device.ReportedReason ?? "",
                LastReportUnixMs = device.LastReportAt?.ToUnixTimeMilliseconds() ?? 0,
                ExecutionProvider = device.ExecutionProvider ?? "",
                EnrolledAtUnixMs = device.EnrolledAt.ToUnixTimeMilliseconds(),
                AgentVersion = device.AgentVersion,
                UnreadFields = { unread ?? [] },
            };
            foreach (var (tag, value) in device.Tags)
            {
                info.Tags[tag] = value;
            }

            list.Devices.Add(info);
        }

        return list;
    }

    public override async Task<RolloutStatus> StartRollout(StartRolloutRequest request, ServerCallContext context)
    {
        var actor = Authorize(context);
        var gates = request.Gates ?? new GateThresholds();
        var rollout = await engine.StartAsync(
            new RolloutEngine.StartRequest(
                request.Model,
                request.Selector,
                request.Waves,
                TimeSpan.FromSeconds(request.BakeSeconds),
                request.Mode,
                new RolloutGates
                {
                    MaxFailureRate = gates.MaxFailureRate > 0 ? gates.MaxFailureRate : 0.10,
                    MaxErrorRate = Positive(gates.MaxErrorRate),
                    MaxErrorIncrease = Positive(gates.MaxErrorIncrease),
                    MaxP95LatencyMs = Positive(gates.MaxP95LatencyMs),
                    MaxP95LatencyIncrease = Positive(gates.MaxP95LatencyIncrease),
                    MaxEscalationRate = Positive(gates.MaxEscalationRate),
                    MaxEscalationIncrease = Positive(gates.MaxEscalationIncrease),
                    MaxAuditedErrorRate = Positive(gates.MaxAuditedErrorRate),
                    MinAgreement = Positive(gates.MinAgreement),
                    MinSamples = gates.MinSamples > 0 ? gates.MinSamples : 100,
                    ProbationFrames = gates.ProbationFrames,
                    ProbationSeconds = gates.ProbationSeconds,
                    SilenceTimeoutSeconds = gates.SilenceTimeoutSeconds,
                },
                RolloutDecisions.From(request),
                request.SkipOldAgents),
            actor,
            context.CancellationToken);
        return await DescribeAsync(rollout.Id, context.CancellationToken);
    }

    public override async Task<RolloutStatus> GetRollout(GetRolloutRequest request, ServerCallContext context)
    {
        Authorize(context);
        return await DescribeAsync(request.RolloutId, context.CancellationToken);
    }

    public override async Task<RolloutStatus> ControlRollout(ControlRolloutRequest request, ServerCallContext context)
    {
        var actor = Authorize(context);
        await engine.ControlAsync(request.RolloutId, request.Action, actor, context.CancellationToken);
        return await DescribeAsync(request.RolloutId, context.CancellationToken);
    }

    public override async Task<AuditLog> ListAudit(ListAuditRequest request, ServerCallContext context)
    {
        Authorize(context);
        var log = new AuditLog();
        log.Entries.AddRange((await stores.Audit.ListAsync(request.Limit > 0 ? request.Limit : 200, context.CancellationToken)).Select(a => new AuditEntry
        {
            AtUnixMs = a.At.ToUnixTimeMilliseconds(),
            Actor = a.Actor,
            Action = a.Action,
            Subject = a.Subject,
            Detail = a.Detail,
        }));
        return log;
    }

    public override async Task<RevokeDeviceResponse> RevokeDevice(RevokeDeviceRequest request, ServerCallContext context)
    {
        var actor = Authorize(context);
        var existed = await stores.Devices.RemoveAsync(request.DeviceId, context.CancellationToken);
        if (existed)
        {
            // Ends its streams, downloads and embedded-broker connection here; the notice ends those on the other replicas.
            revocations.Revoke(request.DeviceId);
            await notices.SendRemovedAsync(request.DeviceId, context.CancellationToken);
            await stores.Audit.AppendAsync(new AuditRecord(time.GetUtcNow(), actor, "device.revoke", request.DeviceId, "secret refused from now on"), context.CancellationToken);
        }

        // Also for a device already gone from the database: a broker that failed to drop its account last time gets another go.
        await broker.RemoveDeviceAsync(request.DeviceId, context.CancellationToken);
        if (!existed)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"device {request.DeviceId} does not exist (fleet-server device list shows the enrolled ones)"));
        }

        return new RevokeDeviceResponse { DeviceId = request.DeviceId };
    }

    private async Task<RolloutStatus> DescribeAsync(string id, CancellationToken cancellationToken) =>
        await statuses.GetAsync(id, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"rollout {id} does not exist"));

    /// <summary>Checks the admin token and returns its id, the actor the audit log names.</summary>
    private string Authorize(ServerCallContext context) =>
        credentials.Admin.Accepts(CallerIdentity.Bearer(context))
            ? credentials.Admin.Id
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "admin calls need the admin token (from <data>/admin.token) as --admin-token or EDGEML_ADMIN_TOKEN"));

    private static double? Positive(double value) => value > 0 ? value : null;

    private static ModelInfo ToInfo(ModelRecord m) => new()
    {
        Name = m.Name,
        Version = m.Version,
        Sequence = m.Sequence,
        ModelSha256 = m.ModelSha256,
        BundleSha256 = m.BundleSha256,
        BundleSize = m.BundleSize,
        PushedAtUnixMs = m.PushedAt.ToUnixTimeMilliseconds(),
        PushedBy = m.PushedBy,
    };
}
