using System.Text.Json.Serialization;

namespace EdgeMl.Agent.Sync;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(DeviceIdentity))]
[JsonSerializable(typeof(LocalModelState))]
internal sealed partial class SyncJson : JsonSerializerContext;
