using System.Text.Json.Serialization;

namespace EdgeMl.Fleet.Bench;

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(FleetBenchResult))]
internal sealed partial class FleetBenchJson : JsonSerializerContext;
