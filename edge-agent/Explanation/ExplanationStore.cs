using System.Text.Json;

namespace EdgeMl.Agent.Explanation;

/// <summary>Keeps each frame's heatmap beside its raw grid (<c>frame.png</c>, <c>frame.json</c>) until the case that carries them picks them up.</summary>
internal sealed class ExplanationStore(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>Writes both files through a temporary name, so a reader never sees half a heatmap.</summary>
    public void Save(ExplanationRequest request, ExplanationMap map, byte[] png)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var name = FileName(request.FrameId);
        Write(Path.Combine(Directory, name + ".json"), Grid(request, map));
        Write(Path.Combine(Directory, name + ".png"), png);
    }

    // Written field by field: the reflection serializer of an anonymous type does not survive trimming.
    private static byte[] Grid(ExplanationRequest request, ExplanationMap map)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("frame", request.FrameId);
            json.WriteString("model", request.ModelId);
            json.WriteString("method", map.Method);
            json.WriteString("label", map.Label);
            json.WriteNumber("probability", map.Probability);
            json.WriteNumber("columns", map.Columns);
            json.WriteNumber("rows", map.Rows);
            json.WriteStartObject("region");
            json.WriteNumber("x", map.Region.X);
            json.WriteNumber("y", map.Region.Y);
            json.WriteNumber("width", map.Region.Width);
            json.WriteNumber("height", map.Region.Height);
            json.WriteEndObject();
            json.WriteStartArray("heat");
            foreach (var value in map.Heat)
            {
                json.WriteNumberValue(value);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
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
