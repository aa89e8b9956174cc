using System.Security.Cryptography;
using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// Downloads a model bundle into &lt;data&gt;/downloads, resuming a cut download from the bytes
/// already on disk, and accepts it only when size and SHA-256 match the signed desired state.
/// A server that stops sending is dropped after <see cref="AgentOptions.DownloadStallTimeout"/> and
/// asked again from the same offset, as is one that goes away (with backoff); one that trickles is
/// given up on at <see cref="AgentOptions.DownloadDeadline"/>.
/// </summary>
internal sealed partial class BundleDownloader(string dataDirectory, AgentOptions options, TimeProvider time, ILogger logger)
{
    public const string Folder = "downloads";

    public async Task<string> DownloadAsync(DeviceService.DeviceServiceClient client, ModelRef model, Action<long> progress, CancellationToken cancellationToken)
    {
        if (model.BundleSize <= 0 || model.BundleSize > options.MaxBundleBytes)
        {
            throw new InvalidDataException($"bundle of {model.Name}:{model.Version} is said to be {model.BundleSize} bytes; this agent accepts 1 to {options.MaxBundleBytes}");
        }

        var directory = Directory.CreateDirectory(Path.Combine(dataDirectory, Folder)).FullName;
        var stem = Path.Combine(directory, Stem(model));
        var complete = stem + ".bundle";
        if (File.Exists(complete) && await HashAsync(complete, cancellationToken) == model.BundleSha256)
        {
            return complete;
        }

        var partial = stem + ".partial";
        await using (var file = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            if (file.Length > model.BundleSize)
            {
                file.SetLength(0);
            }

            file.Position = file.Length;
            progress(file.Position);
            using var deadline = new CancellationTokenSource(options.DownloadDeadline, time);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            var failures = 0;
            while (file.Position < model.BundleSize)
            {
                using var stall = new CancellationTokenSource(options.DownloadStallTimeout, time);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(bounded.Token, stall.Token);
                string interruption;
                try
                {
                    await ReceiveAsync(client, model, file, progress, stall, attempt.Token);
                    interruption = $"the server ended the stream at byte {file.Position}";
                }
                catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled or StatusCode.DeadlineExceeded })
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (deadline.IsCancellationRequested)
                    {
                        throw Overdue(model, file.Position);
                    }

                    if (!stall.IsCancellationRequested)
                    {
                        throw;
                    }

                    LogStalled(logger, model.Name, model.Version, options.DownloadStallTimeout, file.Position);
                    continue;
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Aborted or StatusCode.ResourceExhausted)
                {
                    // The network or the server went away for a while (a cut, a restart): not a failure of the model.
                    interruption = e.Status.Detail;
                }

                if (file.Position < model.BundleSize)
                {
                    LogInterrupted(logger, model.Name, model.Version, interruption, file.Position);
                    try
                    {
                        await Task.Delay(Backoff(++failures), time, bounded.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        throw Overdue(model, file.Position);
                    }
                }
            }

            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
        }

        var hash = await HashAsync(partial, cancellationToken);
        if (hash != model.BundleSha256)
        {
            File.Delete(partial);
            throw new InvalidDataException($"bundle of {model.Name}:{model.Version} has SHA-256 {hash}, the signed desired state says {model.BundleSha256}; discarded");
        }

        File.Move(partial, complete, overwrite: true);
        return complete;
    }

    private TimeoutException Overdue(ModelRef model, long bytes) =>
        new($"the download of {model.Name}:{model.Version} did not finish within {options.DownloadDeadline} (Agent:DownloadDeadline); {bytes} of {model.BundleSize} bytes are kept and it resumes from there");

    private TimeSpan Backoff(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(options.MaxBackoff.TotalMilliseconds, options.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20))));

    /// <summary>The file name, without extension, of <paramref name="model"/>'s download.</summary>
    public static string Stem(ModelRef model) => $"{model.Name}-{model.Version}-{model.BundleSha256[..Math.Min(16, model.BundleSha256.Length)]}";

    /// <summary>One request from the current offset; every chunk that arrives pushes the stall timer back.</summary>
    private async Task ReceiveAsync(DeviceService.DeviceServiceClient client, ModelRef model, FileStream file, Action<long> progress, CancellationTokenSource stall, CancellationToken cancellationToken)
    {
        using var call = client.DownloadModel(new DownloadModelRequest { Name = model.Name, Version = model.Version, Offset = file.Position }, cancellationToken: cancellationToken);
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            if (chunk.Offset != file.Position || chunk.Offset + chunk.Data.Length > model.BundleSize)
            {
                throw new InvalidDataException($"the server sent bytes {chunk.Offset}..{chunk.Offset + chunk.Data.Length} of a {model.BundleSize}-byte bundle while {file.Position} were on disk");
            }

            await file.WriteAsync(chunk.Data.Memory, cancellationToken);
            stall.CancelAfter(options.DownloadStallTimeout);
            progress(file.Position);
        }
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download of {Name}:{Version} interrupted ({Reason}); asking again from byte {Offset}")]
    private static partial void LogInterrupted(ILogger logger, string name, string version, string reason, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download of {Name}:{Version} stalled (no bytes for {Stall}); asking again from byte {Offset}")]
    private static partial void LogStalled(ILogger logger, string name, string version, TimeSpan stall, long offset);
}
