using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace EdgeMl.Fleet.Cli;

/// <summary>
/// <c>--json</c> output: protobuf's JSON mapping, except that 64-bit integers are JSON numbers.
/// The mapping quotes them for JavaScript's sake; the fields printed here (sizes, sequences,
/// unix milliseconds) fit a double exactly and scripts compare them as numbers.
/// </summary>
internal static class ProtoJson
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Format(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var node = JsonNode.Parse(Formatter.Format(message))!.AsObject();
        Unquote(node, message.Descriptor);
        return node.ToJsonString(Indented);
    }

    private static void Unquote(JsonObject json, MessageDescriptor descriptor)
    {
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            switch (json[field.JsonName])
            {
                case JsonObject map when field.IsMap:
                    var valueField = field.MessageType.FindFieldByNumber(2);
                    foreach (var key in map.Select(entry => entry.Key).ToList())
                    {
                        map[key] = Convert(map[key], valueField);
                    }

                    break;
                case JsonArray list:
                    for (var i = 0; i < list.Count; i++)
                    {
                        list[i] = Convert(list[i], field);
                    }

                    break;
                case { } value:
                    json[field.JsonName] = Convert(value, field);
                    break;
            }
        }
    }

    private static JsonNode? Convert(JsonNode? value, FieldDescriptor field)
    {
        switch (field.FieldType)
        {
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 when value is JsonValue text && text.TryGetValue<string>(out var signed):
                return JsonValue.Create(long.Parse(signed, CultureInfo.InvariantCulture));
            case FieldType.UInt64 or FieldType.Fixed64 when value is JsonValue text && text.TryGetValue<string>(out var unsigned):
                return JsonValue.Create(ulong.Parse(unsigned, CultureInfo.InvariantCulture));
            case FieldType.Message when value is JsonObject child:
                // A copy: a node has one parent, and the caller puts the result where the original is.
                var copy = child.DeepClone().AsObject();
                Unquote(copy, field.MessageType);
                return copy;
            default:
                return value?.DeepClone();
        }
    }
}
