using System.Text.Json;

namespace EdgeMl.Agent.Explanation;

/// <summary>Keeps each frame's heatmap beside its raw grid (<c>frame.png</c>, <c>frame.json</c>) until the case that carries them picks them up.</summary>
internal sealed class ExplanationStore(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>Writes both files through a temporary name, so a reader never sees half a heatmap.</summary>
    public async Task SaveAsync(ExplanationRequest request, OcclusionMap map, byte[] png, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var name = FileName(request.FrameId);
        var grid = JsonSerializer.SerializeToUtf8Bytes(new { frame = request.FrameId, model = request.ModelId, label = map.Label, probability = map.Probability, columns = map.Columns, rows = map.Rows, heat = map.Heat });
        await WriteAsync(Path.Combine(Directory, name + ".json"), grid, cancellationToken);
        await WriteAsync(Path.Combine(Directory, name + ".png"), png, cancellationToken);
    }

    /// <summary>A frame id made safe as a file name: path separators and other invalid characters become '_'.</summary>
    public static string FileName(string frameId) =>
        string.Concat(frameId.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c));

    private static async Task WriteAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await File.WriteAllBytesAsync(temporary, content, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }
}
