using System.Text.Json;
using EdgeMl.Fleet.Cli;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Tests.Cli;

public sealed class ProtoJsonTests
{
    [Fact]
    public void Int64_fields_print_as_numbers_also_in_nested_and_repeated_messages()
    {
        var status = new RolloutStatus { RolloutId = "r-1", CreatedAtUnixMs = 1_767_225_600_123, BakeSeconds = 300 };
        status.Waves.Add(new WaveStatus { Index = 0, Size = "1", StartedAtUnixMs = 1_767_225_600_456 });
        var devices = new DeviceList();
        devices.Devices.Add(new DeviceInfo { DeviceId = "dev-1", LastReportUnixMs = 42, Tags = { ["site"] = "a" } });

        using var rollout = JsonDocument.Parse(ProtoJson.Format(status));
        using var list = JsonDocument.Parse(ProtoJson.Format(devices));

        Assert.Equal(1_767_225_600_123, rollout.RootElement.GetProperty("createdAtUnixMs").GetInt64());
        Assert.Equal(300, rollout.RootElement.GetProperty("bakeSeconds").GetInt64());
        Assert.Equal(1_767_225_600_456, rollout.RootElement.GetProperty("waves")[0].GetProperty("startedAtUnixMs").GetInt64());
        Assert.Equal(0, rollout.RootElement.GetProperty("waves")[0].GetProperty("completedAtUnixMs").GetInt64());
        var device = list.RootElement.GetProperty("devices")[0];
        Assert.Equal(JsonValueKind.Number, device.GetProperty("lastReportUnixMs").ValueKind);
        Assert.Equal("a", device.GetProperty("tags").GetProperty("site").GetString());
        Assert.Equal("dev-1", device.GetProperty("deviceId").GetString());
    }
}
