using EdgeMl.Agent.Inference;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// The steps that bring one model version from the server into memory: download (unless a verified
/// copy is installed), verify and install, load and warm. Each step stops as soon as the update is
/// cancelled, so a newer desired state never waits for a download or a warm-up it no longer wants.
/// </summary>
internal sealed partial class ModelPreparation(string dataDirectory, AgentOptions options, InferenceOptions inference, TimeProvider time, ILogger logger)
{
    private readonly LoadAttempts _attempts = new(dataDirectory);

    public async Task<LoadedModel> PrepareAsync(
        DeviceService.DeviceServiceClient client, PackageVerifier verifier, UpdateProgress progress, string kind, ModelRef reference, InstalledModel target, CancellationToken cancellationToken)
    {
        var package = InstalledCopy(verifier, target);
        if (package is null)
        {
            progress.Post(kind, target, DeviceModelState.Downloading);
            var bundle = await new BundleDownloader(dataDirectory, options, time, logger).DownloadAsync(client, reference, bytes => progress.Bytes = bytes, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            progress.Post(kind, target, DeviceModelState.Verifying);
            var directory = verifier.Install(bundle, target);
            package = verifier.Verify(directory, target);
            File.Delete(bundle);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (_attempts.Unfinished(target.Id) >= LoadAttempts.Limit)
        {
            throw new InvalidOperationException($"the agent died {LoadAttempts.Limit} times while loading {target.Id} (crash loop); it is not loaded again");
        }

        progress.Post(kind, target, DeviceModelState.Warming);
        return await LoadAsync(package, target, cancellationToken);
    }

    /// <summary>A copy installed earlier, checked again; one that fails the check is removed and downloaded anew.</summary>
    private ModelPackage? InstalledCopy(PackageVerifier verifier, InstalledModel target)
    {
        var directory = verifier.DirectoryOf(target);
        if (!Directory.Exists(directory))
        {
            return null;
        }

        try
        {
            return verifier.Verify(directory, target);
        }
        catch (Exception e) when (e is InvalidDataException or ModelPackageException or IOException)
        {
            LogDiscarded(logger, target.Id, e.Message);
            Directory.Delete(directory, recursive: true);
            return null;
        }
    }

    /// <summary>
    /// ONNX Runtime cannot stop a load half-way; a cancelled update stops waiting for it at once and
    /// the model, when it is ready, is released unused.
    /// </summary>
    private async Task<LoadedModel> LoadAsync(ModelPackage package, InstalledModel target, CancellationToken cancellationToken)
    {
        _attempts.Begin(target.Id);
        var loading = Task.Run(
            () =>
            {
                try
                {
                    return LoadedModel.Load(package, inference);
                }
                finally
                {
                    _attempts.End();
                }
            },
            CancellationToken.None);
        try
        {
            return await loading.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _ = loading.ContinueWith(Release, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            throw;
        }
    }

    private void Release(Task<LoadedModel> loading)
    {
        if (loading.IsCompletedSuccessfully)
        {
            loading.Result.Dispose();
        }
        else
        {
            LogAbandonedLoadFailed(logger, loading.Exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A model load no longer wanted failed")]
    private static partial void LogAbandonedLoadFailed(ILogger logger, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Installed copy of {Model} failed verification and is discarded: {Reason}")]
    private static partial void LogDiscarded(ILogger logger, string model, string reason);
}
