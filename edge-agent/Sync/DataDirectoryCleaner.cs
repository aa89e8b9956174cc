using EdgeMl.Protos.Fleet;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// Removes what an interrupted or superseded update leaves in the data directory: downloads
/// (<c>.partial</c>, <c>.bundle</c>) of models no longer wanted, unpacked <c>.staging</c> folders,
/// and installed versions that are neither kept for rollback nor wanted. Without it every
/// cancelled rollout would keep a bundle-sized file on the device for good.
/// </summary>
internal static class DataDirectoryCleaner
{
    /// <summary>Keeps installed <paramref name="keep"/> and the downloads of <paramref name="wanted"/>; removes the rest.</summary>
    public static void Clean(string dataDirectory, IEnumerable<InstalledModel> keep, IEnumerable<ModelRef> wanted)
    {
        var stems = wanted.Select(BundleDownloader.Stem).ToHashSet(StringComparer.Ordinal);
        var downloads = Path.Combine(dataDirectory, BundleDownloader.Folder);
        foreach (var file in Directory.Exists(downloads) ? Directory.GetFiles(downloads) : [])
        {
            if (!stems.Contains(Path.GetFileNameWithoutExtension(file)))
            {
                File.Delete(file);
            }
        }

        var kept = keep.Select(m => Path.GetFullPath(Path.Combine(dataDirectory, "models", m.Name, m.Version))).ToHashSet(StringComparer.Ordinal);
        var models = Path.Combine(dataDirectory, "models");
        foreach (var version in Directory.Exists(models) ? Directory.GetDirectories(models).SelectMany(Directory.GetDirectories) : [])
        {
            if (!kept.Contains(Path.GetFullPath(version)))
            {
                Directory.Delete(version, recursive: true);
            }
        }
    }
}
