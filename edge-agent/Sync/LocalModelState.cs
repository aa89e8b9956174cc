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

    /// <summary>The state once <paramref name="active"/> (and <paramref name="shadow"/>) score frames: the old active model becomes the rollback copy.</summary>
    public LocalModelState Activated(InstalledModel active, InstalledModel? shadow)
    {
        var highest = new Dictionary<string, long>(HighestSequence);
        foreach (var model in new[] { active, shadow }.OfType<InstalledModel>())
        {
            highest[model.Name] = Math.Max(highest.GetValueOrDefault(model.Name), model.Sequence);
        }

        return new LocalModelState { Active = active, Previous = Active is { } old && old.Id != active.Id ? old : Previous, Shadow = shadow, HighestSequence = highest };
    }

    /// <summary>The state once no model scores frames (a first rollout rolled back); the last one stays on disk as the rollback copy.</summary>
    public LocalModelState Unloaded() => this with { Active = null, Shadow = null, Previous = Active ?? Previous };

    /// <summary>The installed versions to keep on disk.</summary>
    public IEnumerable<InstalledModel> Installed => new[] { Active, Previous, Shadow }.OfType<InstalledModel>();

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
