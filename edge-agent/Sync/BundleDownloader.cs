using System.Security.Cryptography;
using EdgeMl.Protos.Fleet;
using Grpc.Core;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// Downloads a model bundle into &lt;data&gt;/downloads, resuming a cut download from the bytes
/// already on disk, and accepts it only when size and SHA-256 match the signed desired state.
/// </summary>
internal sealed class BundleDownloader(string dataDirectory, long maxBytes)
{
    public async Task<string> DownloadAsync(DeviceService.DeviceServiceClient client, ModelRef model, Action<long> progress, CancellationToken cancellationToken)
    {
        if (model.BundleSize <= 0 || model.BundleSize > maxBytes)
        {
            throw new InvalidDataException($"bundle of {model.Name}:{model.Version} is said to be {model.BundleSize} bytes; this agent accepts 1 to {maxBytes}");
        }

        var directory = Directory.CreateDirectory(Path.Combine(dataDirectory, "downloads")).FullName;
        var stem = Path.Combine(directory, $"{model.Name}-{model.Version}-{model.BundleSha256[..16]}");
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
            if (file.Position < model.BundleSize)
            {
                using var call = client.DownloadModel(new DownloadModelRequest { Name = model.Name, Version = model.Version, Offset = file.Position }, cancellationToken: cancellationToken);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (chunk.Offset != file.Position || chunk.Offset + chunk.Data.Length > model.BundleSize)
                    {
                        throw new InvalidDataException($"the server sent bytes {chunk.Offset}..{chunk.Offset + chunk.Data.Length} of a {model.BundleSize}-byte bundle while {file.Position} were on disk");
                    }

                    await file.WriteAsync(chunk.Data.Memory, cancellationToken);
                    progress(file.Position);
                }
            }

            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
            if (file.Length != model.BundleSize)
            {
                throw new IOException($"the download of {model.Name}:{model.Version} ended at {file.Length} of {model.BundleSize} bytes; it resumes from there");
            }
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

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }
}
