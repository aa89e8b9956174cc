using System.Globalization;

namespace EdgeMl.Agent.Sync;

/// <summary>
/// The highest desired-state revision this device has accepted, kept in &lt;data&gt;/revision
/// (written atomically) so that a replayed older state is refused after a restart too. It belongs to
/// one enrolment: a device enrolled again (another id) starts from zero.
/// </summary>
internal static class AcceptedRevision
{
    public const string FileName = "revision";

    public static ulong Load(string dataDirectory, string deviceId)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            return 0;
        }

        var parts = File.ReadAllText(path).Split('\n');
        return parts.Length >= 2 && parts[0] == deviceId && ulong.TryParse(parts[1], CultureInfo.InvariantCulture, out var revision) ? revision : 0;
    }

    public static void Save(string dataDirectory, string deviceId, ulong revision)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{deviceId}\n{revision}\n"));
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
