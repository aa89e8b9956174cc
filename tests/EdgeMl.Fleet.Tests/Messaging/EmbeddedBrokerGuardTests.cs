using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Messaging;

public sealed class EmbeddedBrokerGuardTests : BrokerAccessTests
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-guard-" + Guid.NewGuid().ToString("N")[..10]);

    private protected override int MqttPort => Fleet.Options.MqttPort;

    private protected override Task<TestFleet> StartFleetAsync() => TestFleet.StartAsync(_root);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_device_keeps_a_retained_message_on_its_status_topic_only()
    {
        await using var server = await ServerAsync();
        await server.SubscribeAsync($"{TelemetryTopics.Root}/+/#");
        var device = await EnrolAsync();
        await using var client = await MqttTestClient.ConnectAsync(MqttPort, device.DeviceId, device.Secret, device.DeviceId);

        await client.PublishAsync(TelemetryTopics.Telemetry(device.DeviceId), "sticky", retain: true);
        await client.PublishAsync(TelemetryTopics.Status(device.DeviceId), "online", retain: true);

        var received = await Eventually.HoldsAsync(() => Task.FromResult(server.ReceivedTopics), t => t.Count > 0, TimeSpan.FromSeconds(10), "the status");
        Assert.Equal([TelemetryTopics.Status(device.DeviceId)], received);
    }
}
