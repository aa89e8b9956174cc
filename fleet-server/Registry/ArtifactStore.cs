using System.Security.Cryptography;

namespace EdgeMl.Fleet.Registry;

/// <summary>Model bundles on disk under &lt;data&gt;/artifacts, written once, atomically, never changed.</summary>
internal sealed class ArtifactStore(string dataDirectory)
{
    private readonly string _root = Path.Combine(dataDirectory, "artifacts");

    public string PathOf(string name, string version) => Path.Combine(_root, name, version + ".bundle");

    public async Task WriteAsync(string name, string version, byte[] bundle, CancellationToken cancellationToken)
    {
        var path = PathOf(name, version);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Its own temporary file per write: two pushes of one version (a repair beside a push) never write into each other's.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await stream.WriteAsync(bundle, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The SHA-256 of the stored bundle (lower-case hex), or null when there is none.</summary>
    public async Task<string?> HashAsync(string name, string version, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(PathOf(name, version), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
