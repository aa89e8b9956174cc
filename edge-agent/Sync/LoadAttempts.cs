using System.Globalization;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// Crash-loop guard: &lt;data&gt;/loading marks a model being loaded; if the agent dies while
/// loading it (the mark survives), the count grows, and after <see cref="Limit"/> deaths the model
/// is reported failed instead of being loaded again.
/// </summary>
internal sealed class LoadAttempts(string dataDirectory)
{
    public const int Limit = 3;

    private readonly string _path = Path.Combine(dataDirectory, "loading");

    /// <summary>How many earlier loads of <paramref name="modelId"/> never finished.</summary>
    public int Unfinished(string modelId)
    {
        if (!File.Exists(_path))
        {
            return 0;
        }

        var parts = File.ReadAllText(_path).Split('\n');
        return parts.Length >= 2 && parts[0] == modelId && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var count) ? count : 0;
    }

    public void Begin(string modelId)
    {
        var count = Unfinished(modelId) + 1;
        var temporary = _path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{modelId}\n{count}\n"));
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, _path, overwrite: true);
    }

    public void End() => File.Delete(_path);
}
