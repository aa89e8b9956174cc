using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace EdgeMl.Contracts.Packaging;

/// <summary>
/// Manifest fields as dotted paths (<c>input.tiles.overlap</c>; <c>*</c> stands for any key of a map or element of a
/// list). An agent refuses a manifest with a field it does not read, so it tells the fleet which fields it reads, and
/// the fleet compares them with the fields a package's manifest sets before it rolls the package out.
/// </summary>
public static class ManifestFields
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Every field this build reads, from the serializer's own metadata for <see cref="ModelManifest"/>.</summary>
    public static IReadOnlyList<string> Known { get; } = [.. Walk(ManifestJson.Default.ModelManifest, "", null).Distinct()];

    /// <summary>The fields <paramref name="manifestJson"/> sets to something other than null, among those this build reads.</summary>
    public static IReadOnlyList<string> Used(string manifestJson)
    {
        using var document = JsonDocument.Parse(manifestJson, Lenient);
        return [.. Walk(ManifestJson.Default.ModelManifest, "", document.RootElement).Distinct()];
    }

    /// <summary>The fields of <paramref name="used"/> missing from <paramref name="known"/>; of a missing object only the object, not its fields.</summary>
    public static IReadOnlyList<string> Missing(IEnumerable<string> used, IReadOnlyCollection<string> known)
    {
        var missing = new List<string>();
        foreach (var path in used.Where(p => !known.Contains(p)))
        {
            if (!missing.Any(outer => path.StartsWith(outer + ".", StringComparison.Ordinal)))
            {
                missing.Add(path);
            }
        }

        return missing;
    }

    // value null: every field of the type; otherwise the fields value sets. Parents come before their fields.
    private static IEnumerable<string> Walk(JsonTypeInfo type, string path, JsonElement? value)
    {
        switch (type.Kind)
        {
            case JsonTypeInfoKind.Object:
                foreach (var property in type.Properties)
                {
                    JsonElement? field = null;
                    if (value is { } set)
                    {
                        if (set.ValueKind != JsonValueKind.Object || !set.TryGetProperty(property.Name, out var present) || present.ValueKind == JsonValueKind.Null)
                        {
                            continue;
                        }

                        field = present;
                    }

                    var at = ManifestFieldCheck.Join(path, property.Name);
                    yield return at;
                    foreach (var inner in Walk(ManifestFieldCheck.TypeInfo(property.PropertyType), at, field))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonTypeInfoKind.Dictionary or JsonTypeInfoKind.Enumerable:
                var elements = value switch
                {
                    null => [null],
                    { ValueKind: JsonValueKind.Object } map => map.EnumerateObject().Select(e => (JsonElement?)e.Value),
                    { ValueKind: JsonValueKind.Array } list => list.EnumerateArray().Select(e => (JsonElement?)e),
                    _ => [],
                };
                var elementType = ManifestFieldCheck.TypeInfo(type.ElementType!);
                foreach (var element in elements)
                {
                    foreach (var inner in Walk(elementType, ManifestFieldCheck.Join(path, "*"), element))
                    {
                        yield return inner;
                    }
                }

                break;
        }
    }
}
