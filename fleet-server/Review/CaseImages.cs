namespace EdgeMl.Fleet.Review;

/// <summary>
/// Case images and heatmaps under &lt;data&gt;/cases, named by case id (which <see cref="CaseUploadCheck"/> keeps to
/// file-name-safe characters). Kept as files rather than in the database: they are the bulk of a case, the
/// schema stays to types SQLite and PostgreSQL share, and replicas share the data folder already for model bundles.
/// A file once written is never replaced, so a retried or racing upload cannot change a stored image.
/// </summary>
internal sealed class CaseImages(string dataDirectory)
{
    private readonly string _root = Path.Combine(dataDirectory, "cases");

    public string ImagePath(string caseId) => Path.Combine(_root, caseId + ".jpg");

    public string HeatmapPath(string caseId) => Path.Combine(_root, caseId + ".heatmap");

    public async Task WriteAsync(string caseId, ReadOnlyMemory<byte> image, ReadOnlyMemory<byte> heatmap, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_root);
        await WriteOnceAsync(ImagePath(caseId), image, cancellationToken);
        if (!heatmap.IsEmpty)
        {
            await WriteOnceAsync(HeatmapPath(caseId), heatmap, cancellationToken);
        }
    }

    private static async Task WriteOnceAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
        {
            return;
        }

        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await stream.WriteAsync(bytes, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another upload of the same case got there first; its bytes stay.
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
