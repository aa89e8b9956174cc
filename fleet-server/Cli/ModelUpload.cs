using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;

namespace EdgeMl.Fleet.Cli;

/// <summary>Sends a package over the <c>PushModel</c> stream: the manifest first, then the model in chunks, never the whole file in one message.</summary>
internal static class ModelUpload
{
    public static async Task<ModelInfo> PushDirectoryAsync(AdminService.AdminServiceClient client, string directory, CancellationToken cancellationToken)
    {
        var manifest = await File.ReadAllBytesAsync(Path.Combine(directory, ModelPackage.ManifestFile), cancellationToken);
        await using var model = new FileStream(Path.Combine(directory, ModelPackage.ModelFile), FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
        return await PushAsync(client, manifest, model, cancellationToken);
    }

    public static async Task<ModelInfo> PushAsync(AdminService.AdminServiceClient client, ReadOnlyMemory<byte> manifest, Stream model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(model);
        using var call = client.PushModel(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new PushModelRequest { ManifestJson = ByteString.CopyFrom(manifest.Span) }, cancellationToken);
        var chunk = new byte[MessageLimits.PushChunkBytes];
        int read;
        while ((read = await model.ReadAtLeastAsync(chunk, chunk.Length, throwOnEndOfStream: false, cancellationToken)) > 0)
        {
            await call.RequestStream.WriteAsync(new PushModelRequest { ModelOnnx = ByteString.CopyFrom(chunk, 0, read) }, cancellationToken);
        }

        await call.RequestStream.CompleteAsync();
        return await call;
    }
}
