using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Inference;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// Reconciles the device with one desired state: prepare what it names (<see cref="ModelPreparation"/>),
/// swap atomically, report, persist, clean. Anything that fails is reported and the device keeps its
/// current model; it never moves to a lower sequence unless told to roll back, and a desired state
/// without a model unloads the model, so that every frame goes to a human. Cancelling the token
/// (a newer desired state arrived) stops the step in progress and nothing of this state goes live.
/// </summary>
public sealed partial class ModelUpdater(
    IOptions<AgentOptions> options,
    InferenceOptions inference,
    ModelHolder holder,
    FleetConnection connection,
    DeviceEnrolment enrolment,
    FleetTrust trust,
    StatusReporter reporter,
    TimeProvider time,
    ILogger<ModelUpdater> logger) : IDisposable
{
    private readonly string _data = options.Value.DataDirectory;
    private readonly ModelPreparation _preparation = new(options.Value.DataDirectory, options.Value, inference, time, logger);
    private LocalModelState _state = LocalModelState.Load(options.Value.DataDirectory);
    private LoadedModel? _held;

    public LocalModelState State => _state;

    /// <summary>Removes what an interrupted update left, then loads the model the device last ran, checked again, so it scores frames before the server is reachable.</summary>
    public void RestoreFromDisk()
    {
        Clean(_state.Installed, []);
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

    /// <summary>Brings the device to <paramref name="desired"/>; false when the update failed for a cause that may pass (reported failed meanwhile), so it is worth trying again.</summary>
    public async Task<bool> ApplyAsync(DesiredState desired, CancellationToken cancellationToken)
    {
        var progress = new UpdateProgress(reporter, desired.Revision);
        try
        {
            if (desired.Active is null)
            {
                Unload(desired, progress);
                return true;
            }

            return await ReconcileAsync(desired, progress, cancellationToken);
        }
        finally
        {
            var wanted = new[] { desired.Active, desired.Shadow }.OfType<ModelRef>().ToList();
            Clean(_state.Installed.Concat(wanted.Select(ToInstalled)), wanted);
        }
    }

    /// <summary>A file that cannot be removed now is removed at a later clean; it never fails the update.</summary>
    private void Clean(IEnumerable<InstalledModel> keep, IEnumerable<ModelRef> wanted)
    {
        try
        {
            DataDirectoryCleaner.Clean(_data, keep, wanted);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCleanFailed(logger, e.Message);
        }
    }

    private async Task<bool> ReconcileAsync(DesiredState desired, UpdateProgress progress, CancellationToken cancellationToken)
    {
        var identity = await enrolment.EnsureAsync(cancellationToken);
        var client = connection.For(identity);
        var verifier = Verifier(identity);
        var target = ToInstalled(desired.Active);
        var current = holder.Current;
        var preparing = (Kind: StatusReporter.ActiveKind, Model: target);
        if (_held is not null && _held.Manifest.Id != target.Id)
        {
            // A blue/green candidate the fleet no longer wants.
            _held.Dispose();
            _held = null;
        }

        LoadedModel? fresh = null;
        LoadedModel? freshShadow = null;
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
                    progress.Post(StatusReporter.ActiveKind, target, DeviceModelState.Failed, $"refusing to move back to {target.Id} (sequence {target.Sequence}, below {highest}) without a rollback instruction");
                    return true;
                }

                active = _held ?? (fresh = await _preparation.PrepareAsync(client, verifier, progress, StatusReporter.ActiveKind, desired.Active, target, cancellationToken));
                if (desired.HoldSwitch)
                {
                    _held = active;
                    fresh = null;
                    progress.Post(StatusReporter.ActiveKind, target, DeviceModelState.Ready, FallbackOf(active), active.Provider.Provider);
                    return true;
                }
            }

            LoadedModel? shadow = null;
            InstalledModel? shadowTarget = null;
            if (desired.Shadow is { } shadowRef)
            {
                shadowTarget = ToInstalled(shadowRef);
                preparing = (StatusReporter.ShadowKind, shadowTarget);
                shadow = current?.Shadow?.Manifest.Id == shadowTarget.Id
                    ? current.Shadow
                    : freshShadow = await _preparation.PrepareAsync(client, verifier, progress, StatusReporter.ShadowKind, shadowRef, shadowTarget, cancellationToken);
            }

            // The last point where a newer desired state wins: past it this state goes live.
            cancellationToken.ThrowIfCancellationRequested();
            var fleet = FleetDecisions.From(desired);
            if (current?.Active != active || current?.Shadow != shadow || current?.Fleet != fleet)
            {
                holder.Swap(active, shadow, fleet);
                LogSwapped(logger, active.Manifest.Id, shadow?.Manifest.Id ?? "none", desired.Revision);
            }

            fresh = freshShadow = null;
            if (_held == active)
            {
                _held = null;
            }

            _state = _state.Activated(target, shadowTarget);
            _state.Save(_data);
            progress.Post(StatusReporter.ActiveKind, target, DeviceModelState.Active, FallbackOf(active), active.Provider.Provider);
            if (shadowTarget is not null)
            {
                // Last, so the server's view of this device names the shadow model its rollout is about.
                progress.Post(StatusReporter.ShadowKind, shadowTarget, DeviceModelState.Active, "shadow", shadow!.Provider.Provider);
            }

            return true;
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            LogCancelled(logger, preparing.Model.Id, desired.Revision);
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception e)
        {
            LogFailed(logger, preparing.Model.Id, e.Message);
            progress.Post(preparing.Kind, preparing.Model, DeviceModelState.Failed, e.Message);

            // A package that is refused or does not load fails the same way next time; bytes damaged on the way,
            // a full disk or a server gone mid-download may not.
            return e is ModelPackageException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException;
        }
        finally
        {
            // Loaded for this state but never put to work (cancelled, or the shadow failed after it).
            fresh?.Dispose();
            freshShadow?.Dispose();
        }
    }

    private void Unload(DesiredState desired, UpdateProgress progress)
    {
        _held?.Dispose();
        _held = null;
        if (holder.Current is not null)
        {
            holder.Unload();
            LogUnloaded(logger, desired.Revision);
        }

        if (_state.Active is not null || _state.Shadow is not null)
        {
            _state = _state.Unloaded();
            _state.Save(_data);
        }

        progress.Post(StatusReporter.ActiveKind, null, DeviceModelState.NoModel, "the desired state names no model; every frame is escalated to a human");
    }

    /// <summary>Why the model runs on the CPU although CUDA was asked for, so the fleet sees a silent fallback; empty otherwise.</summary>
    private string FallbackOf(LoadedModel model)
    {
        if (model.Provider.FallbackReason is not { } reason)
        {
            return "";
        }

        LogFallback(logger, model.Manifest.Id, model.Provider.Provider, reason);
        return $"runs on {model.Provider.Provider}: {reason}";
    }

    private static InstalledModel ToInstalled(ModelRef model) => new(model.Name, model.Version, model.Sequence);

    private PackageVerifier Verifier(DeviceIdentity identity) => new(_data, trust.SignerOf(identity), options.Value.MaxBundleBytes);

    public void Dispose() => _held?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} runs on {Provider} instead of CUDA: {Reason}")]
    private static partial void LogFallback(ILogger logger, string model, string provider, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} restored from disk on {Provider}")]
    private static partial void LogRestored(ILogger logger, string model, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} on disk cannot be used: {Reason}")]
    private static partial void LogRestoreFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Now scoring with {Active} (shadow {Shadow}), desired-state revision {Revision}")]
    private static partial void LogSwapped(ILogger logger, string active, string shadow, ulong revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Desired-state revision {Revision} names no model: model unloaded, every frame is escalated to a human")]
    private static partial void LogUnloaded(ILogger logger, ulong revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "Update to {Model} (revision {Revision}) cancelled: a newer desired state arrived")]
    private static partial void LogCancelled(ILogger logger, string model, ulong revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove an abandoned download or staging folder: {Reason}; trying again after the next update")]
    private static partial void LogCleanFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Update to {Model} failed, keeping the current model: {Reason}")]
    private static partial void LogFailed(ILogger logger, string model, string reason);
}
