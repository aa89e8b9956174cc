using System.Formats.Tar;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Contracts.Signing;

/// <summary>
/// The one file a device downloads: a tar of manifest.json, model.onnx and signature.json,
/// written deterministically so that its SHA-256 is stable. Extraction accepts exactly those
/// three regular files, within size caps, so a hostile bundle cannot write elsewhere or fill the disk.
/// </summary>
public static class ModelBundle
{
    private const long MaxSignatureBytes = 64 * 1024;
    private static readonly string[] Entries = [ModelPackage.ManifestFile, ModelPackage.ModelFile, PackageSignature.FileName];

    public static void Write(Stream output, byte[] manifest, byte[] model, byte[] signature)
    {
        using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var (name, bytes) in new[] { (Entries[0], manifest), (Entries[1], model), (Entries[2], signature) })
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name, new Dictionary<string, string> { ["mtime"] = "0" })
            {
                DataStream = new MemoryStream(bytes, writable: false),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                ModificationTime = DateTimeOffset.UnixEpoch,
                Uid = 0,
                Gid = 0,
            };
            writer.WriteEntry(entry);
        }
    }

    /// <summary>The bundle's signature.json, read without unpacking the model (skipped over); null when it has none readable.</summary>
    public static PackageSignature? ReadSignature(string bundlePath)
    {
        using var stream = File.OpenRead(bundlePath);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name == PackageSignature.FileName && entry.DataStream is { } data && entry.Length <= MaxSignatureBytes)
            {
                using var json = new MemoryStream();
                data.CopyTo(json);
                return PackageSignature.FromJson(json.ToArray());
            }
        }

        return null;
    }

    /// <summary>Extracts into <paramref name="directory"/> (created); throws <see cref="InvalidDataException"/> saying what is wrong.</summary>
    public static void Extract(string bundlePath, string directory, long maxBytes)
    {
        Directory.CreateDirectory(directory);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var stream = File.OpenRead(bundlePath);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
            {
                continue;
            }

            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !Entries.Contains(entry.Name) || !seen.Add(entry.Name))
            {
                throw new InvalidDataException($"the bundle holds an unexpected entry '{entry.Name}' ({entry.EntryType}); only manifest.json, model.onnx and signature.json are allowed, once each");
            }

            if (entry.Length > maxBytes)
            {
                throw new InvalidDataException($"bundle entry '{entry.Name}' is {entry.Length} bytes, more than the {maxBytes}-byte cap");
            }

            entry.ExtractToFile(Path.Combine(directory, entry.Name), overwrite: true);
        }

        var missing = Entries.Where(e => !seen.Contains(e)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"the bundle lacks {string.Join(", ", missing)}");
        }
    }
}
