using System.Threading.Channels;
using EdgeMl.Agent.Pipeline;

namespace EdgeMl.Agent.Capture;

/// <summary>
/// Frames that appear in a folder (a camera writing files). A bounded queue sits between the
/// watcher and the pipeline: when it is full the newest file is dropped and counted.
/// </summary>
public sealed class FolderWatchSource : IFrameSource, IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly Channel<string> _arrived = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    private readonly FrameCounters _counters;

    public FolderWatchSource(string folder, FrameCounters counters)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"input folder '{folder}' does not exist");
        }

        _counters = counters;
        _watcher = new FileSystemWatcher(folder) { NotifyFilter = NotifyFilters.FileName, IncludeSubdirectories = false };
        _watcher.Created += (_, e) => Offer(e.FullPath);
        _watcher.Renamed += (_, e) => Offer(e.FullPath);
        _watcher.EnableRaisingEvents = true;
    }

    public async ValueTask<bool> ReadNextAsync(FrameSlot slot, CancellationToken cancellationToken)
    {
        var path = await _arrived.Reader.ReadAsync(cancellationToken);
        slot.Name = Path.GetFileName(path);
        try
        {
            slot.LoadFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            slot.Error = $"the file could not be read: {e.Message}";
        }

        return true;
    }

    public void Dispose() => _watcher.Dispose();

    private void Offer(string path)
    {
        // Hidden and temporary names are a writer's work in progress; the rename to the final name is the frame.
        var name = Path.GetFileName(path);
        if (name.StartsWith('.') || name.EndsWith(".tmp", StringComparison.Ordinal) || name.EndsWith(".partial", StringComparison.Ordinal))
        {
            return;
        }

        if (!_arrived.Writer.TryWrite(path))
        {
            _counters.AddDropped(1);
        }
    }
}
