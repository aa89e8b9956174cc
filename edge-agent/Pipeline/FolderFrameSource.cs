namespace EdgeMl.Agent.Pipeline;

/// <summary>Every file of a folder once, in name order (the batch mode), or round and round (a replayed camera).</summary>
public sealed class FolderFrameSource : IFrameSource
{
    private readonly string[] _files;
    private readonly bool _loop;
    private int _next;

    public FolderFrameSource(string folder, bool loop = false)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"input folder '{folder}' does not exist");
        }

        _files = Directory.EnumerateFiles(folder)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        _loop = loop;
        if (loop && _files.Length == 0)
        {
            throw new InvalidOperationException($"input folder '{folder}' has no files to replay");
        }
    }

    public IReadOnlyList<string> Files => _files;

    public ValueTask<bool> ReadNextAsync(FrameSlot slot, CancellationToken cancellationToken)
    {
        if (_next >= _files.Length)
        {
            if (!_loop)
            {
                return ValueTask.FromResult(false);
            }

            _next = 0;
        }

        var path = _files[_next++];
        slot.Name = Path.GetFileName(path);
        try
        {
            slot.LoadFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            slot.Error = $"the file could not be read: {e.Message}";
        }

        return ValueTask.FromResult(true);
    }
}
