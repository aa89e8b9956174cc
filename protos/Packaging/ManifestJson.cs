using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeMl.Contracts.Packaging;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ModelManifest))]
public sealed partial class ManifestJson : JsonSerializerContext;
