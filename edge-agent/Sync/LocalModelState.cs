using System.Text.Json;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// What the device runs, stored in &lt;data&gt;/state.json (written atomically): the active model,
/// the previous one kept on disk for instant rollback, and the highest sequence ever accepted per
/// model name, so that the device never moves back without a rollback instruction.
/// </summary>
public sealed record LocalModelState
{
    public const string FileName = "state.json";

    public InstalledModel? Active { get; init; }

    public InstalledModel? Previous { get; init; }

    public InstalledModel? Shadow { get; init; }

    public Dictionary<string, long> HighestSequence { get; init; } = [];

    public static LocalModelState Load(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), SyncJson.Default.LocalModelState) ?? new() : new();
    }

    public void Save(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, this, SyncJson.Default.LocalModelState);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>A verified model version unpacked under &lt;data&gt;/models/&lt;name&gt;/&lt;version&gt;.</summary>
public sealed record InstalledModel(string Name, string Version, long Sequence)
{
    public string Id => $"{Name}:{Version}";
}
