using EdgeMl.Agent.Inference;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// Brings the device to a desired state: download into staging, verify hash and fleet signature,
/// load and warm beside the current model, then swap atomically. Anything that fails is reported
/// and the device keeps its current model; it never moves to a lower sequence unless told to roll back.
/// </summary>
public sealed partial class ModelUpdater(
    IOptions<AgentOptions> options,
    InferenceOptions inference,
    ModelHolder holder,
    FleetConnection connection,
    DeviceEnrolment enrolment,
    FleetTrust trust,
    ILogger<ModelUpdater> logger) : IDisposable
{
    private readonly string _data = options.Value.DataDirectory;
    private LocalModelState _state = LocalModelState.Load(options.Value.DataDirectory);
    private readonly LoadAttempts _attempts = new(options.Value.DataDirectory);
    private LoadedModel? _held;

    public LocalModelState State => _state;

    /// <summary>Loads the model the device last ran, checked again, so it scores frames before the server is reachable.</summary>
    public void RestoreFromDisk()
    {
        var identity = DeviceIdentity.Load(_data);
        if (identity is null || _state.Active is null)
        {
            return;
        }

        var verifier = Verifier(identity);
        foreach (var candidate in new[] { _state.Active, _state.Previous }.OfType<InstalledModel>())
        {
            try
            {
                var active = LoadedModel.Load(verifier.Verify(verifier.DirectoryOf(candidate), candidate), inference);
                holder.Swap(active, null);
                LogRestored(logger, candidate.Id, active.Provider.Provider);
                return;
            }
            catch (Exception e) when (e is InvalidDataException or ModelPackageException or IOException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
            {
                LogRestoreFailed(logger, candidate.Id, e.Message);
            }
        }
    }

    public async Task ApplyAsync(DesiredState desired, CancellationToken cancellationToken)
    {
        if (desired.Active is null)
        {
            return;
        }

        var identity = await enrolment.EnsureAsync(cancellationToken);
        var client = connection.For(identity);
        var verifier = Verifier(identity);
        var report = new Reporter(client, desired.Revision, logger);
        var target = new InstalledModel(desired.Active.Name, desired.Active.Version, desired.Active.Sequence);
        var current = holder.Current;
        var preparing = target;
        LoadedModel? fresh = null;
        try
        {
            LoadedModel active;
            if (current?.Active.Manifest.Id == target.Id)
            {
                active = current.Active;
            }
            else
            {
                if (_state.HighestSequence.TryGetValue(target.Name, out var highest) && target.Sequence < highest && !desired.Rollback)
                {
                    await report.SendAsync(target, DeviceModelState.Failed, $"refusing to move back to {target.Id} (sequence {target.Sequence}, below {highest}) without a rollback instruction", cancellationToken);
                    return;
                }

                active = _held?.Manifest.Id == target.Id ? _held : fresh = await PrepareAsync(client, verifier, report, desired.Active, target, cancellationToken);
                if (desired.HoldSwitch)
                {
                    if (_held != active)
                    {
                        _held?.Dispose();
                    }

                    _held = active;
                    await report.SendAsync(target, DeviceModelState.Ready, "", cancellationToken, active.Provider.Provider);
                    return;
                }

                if (_held == active)
                {
                    _held = null;
                }
            }

            LoadedModel? shadow = null;
            InstalledModel? shadowTarget = null;
            if (desired.Shadow is { } shadowRef)
            {
                shadowTarget = new InstalledModel(shadowRef.Name, shadowRef.Version, shadowRef.Sequence);
                preparing = shadowTarget;
                shadow = current?.Shadow?.Manifest.Id == shadowTarget.Id
                    ? current.Shadow
                    : await PrepareAsync(client, verifier, report, shadowRef, shadowTarget, cancellationToken);
            }

            if (current?.Active != active || current?.Shadow != shadow)
            {
                holder.Swap(active, shadow);
                LogSwapped(logger, active.Manifest.Id, shadow?.Manifest.Id ?? "none", desired.Revision);
            }

            Remember(target, shadowTarget);
            await report.SendAsync(target, DeviceModelState.Active, "", cancellationToken, active.Provider.Provider);
            if (shadowTarget is not null)
            {
                // Last, so the server's view of this device names the shadow model its rollout is about.
                await report.SendAsync(shadowTarget, DeviceModelState.Active, "shadow", cancellationToken, shadow!.Provider.Provider);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A model loaded for this state but never put to work (the shadow failed after it) is released.
            if (fresh is not null && fresh != holder.Current?.Active && fresh != _held)
            {
                fresh.Dispose();
            }

            LogFailed(logger, preparing.Id, e.Message);
            await report.SendAsync(preparing, DeviceModelState.Failed, e.Message, cancellationToken);
        }
    }

    private async Task<LoadedModel> PrepareAsync(Protos.Fleet.DeviceService.DeviceServiceClient client, PackageVerifier verifier, Reporter report, ModelRef reference, InstalledModel target, CancellationToken cancellationToken)
    {
        ModelPackage? package = null;
        var directory = verifier.DirectoryOf(target);
        if (Directory.Exists(directory))
        {
            try
            {
                package = verifier.Verify(directory, target);
            }
            catch (Exception e) when (e is InvalidDataException or ModelPackageException or IOException)
            {
                LogDiscarded(logger, target.Id, e.Message);
                Directory.Delete(directory, recursive: true);
            }
        }

        if (package is null)
        {
            await report.SendAsync(target, DeviceModelState.Downloading, "", cancellationToken);
            var bundle = await new BundleDownloader(_data, options.Value.MaxBundleBytes).DownloadAsync(client, reference, bytes => report.Bytes = bytes, cancellationToken);
            await report.SendAsync(target, DeviceModelState.Verifying, "", cancellationToken);
            verifier.Install(bundle, target);
            package = verifier.Verify(directory, target);
            File.Delete(bundle);
        }

        if (_attempts.Unfinished(target.Id) >= LoadAttempts.Limit)
        {
            throw new InvalidOperationException($"the agent died {LoadAttempts.Limit} times while loading {target.Id} (crash loop); it is not loaded again");
        }

        await report.SendAsync(target, DeviceModelState.Warming, "", cancellationToken);
        _attempts.Begin(target.Id);
        try
        {
            return await Task.Run(() => LoadedModel.Load(package, inference), cancellationToken);
        }
        finally
        {
            _attempts.End();
        }
    }

    /// <summary>Records the new active model (the old one becomes the rollback copy) and removes versions no longer needed.</summary>
    private void Remember(InstalledModel active, InstalledModel? shadow)
    {
        var highest = new Dictionary<string, long>(_state.HighestSequence);
        foreach (var model in new[] { active, shadow }.OfType<InstalledModel>())
        {
            highest[model.Name] = Math.Max(highest.GetValueOrDefault(model.Name), model.Sequence);
        }

        var previous = _state.Active is { } old && old.Id != active.Id ? old : _state.Previous;
        _state = new LocalModelState { Active = active, Previous = previous, Shadow = shadow, HighestSequence = highest };
        _state.Save(_data);
        var keep = new[] { active, previous, shadow }.OfType<InstalledModel>().Select(m => Path.GetFullPath(Path.Combine(_data, "models", m.Name, m.Version))).ToHashSet();
        var root = Path.Combine(_data, "models");
        foreach (var version in Directory.Exists(root) ? Directory.GetDirectories(root).SelectMany(Directory.GetDirectories) : [])
        {
            if (!keep.Contains(Path.GetFullPath(version)) && !version.EndsWith(".staging", StringComparison.Ordinal))
            {
                Directory.Delete(version, recursive: true);
            }
        }
    }

    private PackageVerifier Verifier(DeviceIdentity identity) => new(_data, trust.SignerOf(identity), options.Value.MaxBundleBytes);

    public void Dispose() => _held?.Dispose();

    /// <summary>Status reports for one desired-state revision; a report that cannot be sent is logged, not fatal.</summary>
    private sealed partial class Reporter(Protos.Fleet.DeviceService.DeviceServiceClient client, ulong revision, ILogger logger)
    {
        public long Bytes { get; set; }

        public async Task SendAsync(InstalledModel model, DeviceModelState state, string reason, CancellationToken cancellationToken, string provider = "")
        {
            var report = new StatusReport
            {
                Revision = revision,
                ModelName = model.Name,
                ModelVersion = model.Version,
                State = state,
                Reason = reason,
                ExecutionProvider = provider,
                BytesDownloaded = Bytes,
                AgentVersion = AgentVersion.Current,
            };
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await client.ReportStatusAsync(report, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
                    return;
                }
                catch (Grpc.Core.RpcException e) when (attempt < 3 && !cancellationToken.IsCancellationRequested)
                {
                    LogReportRetry(logger, state, e.Status.Detail);
                    await Task.Delay(200 * attempt, cancellationToken);
                }
                catch (Grpc.Core.RpcException e)
                {
                    LogReportLost(logger, state, e.Status.Detail);
                    return;
                }
            }
        }

        [LoggerMessage(Level = LogLevel.Debug, Message = "Status report {State} failed ({Detail}); retrying")]
        private static partial void LogReportRetry(ILogger logger, DeviceModelState state, string detail);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Status report {State} could not be sent: {Detail}")]
        private static partial void LogReportLost(ILogger logger, DeviceModelState state, string detail);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} restored from disk on {Provider}")]
    private static partial void LogRestored(ILogger logger, string model, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} on disk cannot be used: {Reason}")]
    private static partial void LogRestoreFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Now scoring with {Active} (shadow {Shadow}), desired-state revision {Revision}")]
    private static partial void LogSwapped(ILogger logger, string active, string shadow, ulong revision);

    [LoggerMessage(Level = LogLevel.Error, Message = "Update to {Model} failed, keeping the current model: {Reason}")]
    private static partial void LogFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Installed copy of {Model} failed verification and is discarded: {Reason}")]
    private static partial void LogDiscarded(ILogger logger, string model, string reason);
}
