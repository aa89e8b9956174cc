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
        var temporary = path + ".tmp";
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            await stream.WriteAsync(bundle, cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
