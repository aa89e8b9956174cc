using System.Text.Json;

namespace EdgeMl.Agent.Explanation;

/// <summary>Keeps each frame's heatmap beside its raw grid (<c>frame.png</c>, <c>frame.json</c>) until the case that carries them picks them up.</summary>
internal sealed class ExplanationStore(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>Writes both files through a temporary name, so a reader never sees half a heatmap.</summary>
    public void Save(ExplanationRequest request, OcclusionMap map, byte[] png)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var name = FileName(request.FrameId);
        var grid = JsonSerializer.SerializeToUtf8Bytes(new { frame = request.FrameId, model = request.ModelId, label = map.Label, probability = map.Probability, columns = map.Columns, rows = map.Rows, heat = map.Heat });
        Write(Path.Combine(Directory, name + ".json"), grid);
        Write(Path.Combine(Directory, name + ".png"), png);
    }

    /// <summary>A frame id made safe as a file name: path separators and other invalid characters become '_'.</summary>
    public static string FileName(string frameId) =>
        string.Concat(frameId.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c));

    /// <summary>Synchronous: it runs on the explainer's own low-priority thread, and a heatmap is a few kilobytes.</summary>
    private static void Write(string path, byte[] content)
    {
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
