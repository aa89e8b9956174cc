using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace EdgeMl.Contracts.Packaging;

/// <summary>
/// Checks the shape of manifest.json before it is read, and names every field that is missing,
/// unknown or null where a value is needed. The fields are the serializer's own metadata for
/// <see cref="ModelManifest"/> (<c>[JsonRequired]</c> marks the ones without a default), so this
/// check cannot drift from the type; the values are checked afterwards by <see cref="ManifestValidator"/>.
/// </summary>
internal static class ManifestFieldCheck
{
    public static List<string> Check(JsonElement manifest)
    {
        var problems = new List<string>();
        CheckValue(manifest, ManifestJson.Default.ModelManifest, "", problems);
        return problems;
    }

    private static void CheckValue(JsonElement value, JsonTypeInfo type, string path, List<string> problems)
    {
        switch (type.Kind)
        {
            case JsonTypeInfoKind.Object when value.ValueKind == JsonValueKind.Object:
                CheckObject(value, type, path, problems);
                break;
            case JsonTypeInfoKind.Dictionary when value.ValueKind == JsonValueKind.Object:
                var entryType = TypeInfo(type.ElementType!);
                foreach (var entry in value.EnumerateObject())
                {
                    CheckElement(entry.Value, entryType, $"{path}['{entry.Name}']", problems);
                }

                break;
            case JsonTypeInfoKind.Enumerable when value.ValueKind == JsonValueKind.Array:
                var elementType = TypeInfo(type.ElementType!);
                var index = 0;
                foreach (var element in value.EnumerateArray())
                {
                    CheckElement(element, elementType, $"{path}[{index++}]", problems);
                }

                break;
            case JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary:
                problems.Add($"{Describe(path)} must be an object, not {Kind(value)}");
                break;
            case JsonTypeInfoKind.Enumerable:
                problems.Add($"{Describe(path)} must be an array, not {Kind(value)}");
                break;
            default:
                // Numbers, strings and dates: the serializer names the path of a value of the wrong kind.
                break;
        }
    }

    private static void CheckObject(JsonElement value, JsonTypeInfo type, string path, List<string> problems)
    {
        foreach (var property in type.Properties)
        {
            var at = Join(path, property.Name);
            if (!value.TryGetProperty(property.Name, out var field))
            {
                if (property.IsRequired)
                {
                    problems.Add($"{at} is missing");
                }
            }
            else if (field.ValueKind == JsonValueKind.Null)
            {
                if (!property.IsSetNullable)
                {
                    problems.Add($"{at} must not be null");
                }
            }
            else
            {
                CheckValue(field, TypeInfo(property.PropertyType), at, problems);
            }
        }

        foreach (var field in value.EnumerateObject())
        {
            if (type.Properties.Any(p => p.Name == field.Name))
            {
                continue;
            }

            // A near miss (color_space, ColorSpace) is the usual cause: name the field that was meant.
            var meant = type.Properties.FirstOrDefault(p => Loosely(p.Name) == Loosely(field.Name));
            problems.Add(meant is null
                ? $"{Join(path, field.Name)} is not a manifest field"
                : $"{Join(path, field.Name)} is not a manifest field (did you mean {Join(path, meant.Name)}?)");
        }
    }

    private static void CheckElement(JsonElement element, JsonTypeInfo type, string path, List<string> problems)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            problems.Add($"{path} must not be null");
        }
        else
        {
            CheckValue(element, type, path, problems);
        }
    }

    internal static JsonTypeInfo TypeInfo(Type type) =>
        ManifestJson.Default.GetTypeInfo(type) ?? throw new InvalidOperationException($"ManifestJson has no metadata for {type}");

    internal static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Describe(string path) => path.Length == 0 ? "manifest.json" : path;

    private static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();

    private static string Loosely(string name) => name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
}
