using EdgeMl.Fleet.Devices;
using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace EdgeMl.Fleet.Tests.Messaging;

/// <summary>The rules every broker the fleet runs with must enforce: the embedded one and Mosquitto with the generated configuration.</summary>
public abstract class BrokerAccessTests : IAsyncLifetime
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(10);

    private protected TestFleet Fleet { get; private set; } = null!;

    private protected abstract int MqttPort { get; }

    public async Task InitializeAsync() => Fleet = await StartFleetAsync();

    public virtual async Task DisposeAsync() => await Fleet.DisposeAsync();

    private protected abstract Task<TestFleet> StartFleetAsync();

    [Fact]
    public async Task Refuses_an_anonymous_client()
    {
        var (client, code) = await MqttTestClient.TryConnectAsync(MqttPort, null, null, "anonymous");

        Assert.Null(client);
        Assert.NotEqual(MqttClientConnectResultCode.Success, code);
    }

    [Fact]
    public async Task Refuses_a_device_with_a_wrong_secret()
    {
        var device = await EnrolAsync();

        var (client, code) = await MqttTestClient.TryConnectAsync(MqttPort, device.DeviceId, device.Secret + "x", device.DeviceId);

        Assert.Null(client);
        Assert.NotEqual(MqttClientConnectResultCode.Success, code);
    }

    [Fact]
    public async Task Refuses_a_device_that_connects_under_another_client_id()
    {
        var device = await EnrolAsync();
        var other = await EnrolAsync();

        var (client, code) = await MqttTestClient.TryConnectAsync(MqttPort, device.DeviceId, device.Secret, other.DeviceId);

        Assert.Null(client);
        Assert.NotEqual(MqttClientConnectResultCode.Success, code);
    }

    [Fact]
    public async Task A_device_enrolled_after_the_broker_started_publishes_under_its_prefix_and_not_under_another_devices()
    {
        await using var server = await ServerAsync();
        Assert.True(await server.SubscribeAsync($"{TelemetryTopics.Root}/+/#") <= MqttClientSubscribeResultCode.GrantedQoS2);
        var device = await EnrolAsync();
        var victim = await EnrolAsync();
        await using var client = await MqttTestClient.ConnectAsync(MqttPort, device.DeviceId, device.Secret, device.DeviceId);

        // Events, not telemetry: the embedded broker hands telemetry to ingestion in-process, and a subscriber sees none of it.
        await client.PublishAsync(TelemetryTopics.Events(victim.DeviceId), "forged");
        await client.PublishAsync(TelemetryTopics.Events(device.DeviceId), "own");

        // One connection's messages arrive in order: once the second is in, the first would have been too.
        var received = await Eventually.HoldsAsync(() => Task.FromResult(server.ReceivedTopics), t => t.Count > 0, Delivery, "the device's own event");
        Assert.Equal([TelemetryTopics.Events(device.DeviceId)], received);
    }

    [Fact]
    public async Task A_device_subscribes_to_its_own_commands_and_not_to_another_devices()
    {
        var device = await EnrolAsync();
        var victim = await EnrolAsync();
        await using var client = await MqttTestClient.ConnectAsync(MqttPort, device.DeviceId, device.Secret, device.DeviceId);

        var own = await client.SubscribeAsync(TelemetryTopics.CommandFilter(device.DeviceId));
        var others = await client.SubscribeAsync(TelemetryTopics.CommandFilter(victim.DeviceId));
        var everyone = await client.SubscribeAsync($"{TelemetryTopics.Root}/+/commands/#");

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, own);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, others);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, everyone);
    }

    [Fact]
    public async Task The_server_publishes_commands_a_device_receives()
    {
        var device = await EnrolAsync();
        await using var client = await MqttTestClient.ConnectAsync(MqttPort, device.DeviceId, device.Secret, device.DeviceId);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await client.SubscribeAsync(TelemetryTopics.CommandFilter(device.DeviceId)));
        await using var server = await ServerAsync();

        await server.PublishAsync(TelemetryTopics.Commands(device.DeviceId) + "/sync", "now");

        await Eventually.HoldsAsync(() => Task.FromResult(client.ReceivedTopics), t => t.Count > 0, Delivery, "the command");
    }

    [Fact]
    public async Task A_revoked_device_is_disconnected_and_refused_at_once()
    {
        var device = await EnrolAsync();
        await using var client = await MqttTestClient.ConnectAsync(MqttPort, device.DeviceId, device.Secret, device.DeviceId);

        await Fleet.Admin.RevokeDeviceAsync(new RevokeDeviceRequest { DeviceId = device.DeviceId });

        await Eventually.HoldsAsync(() => Task.FromResult(client.IsConnected), connected => !connected, Delivery, "the revoked device's connection to close");
        var (again, code) = await MqttTestClient.TryConnectAsync(MqttPort, device.DeviceId, device.Secret, device.DeviceId);
        Assert.Null(again);
        Assert.NotEqual(MqttClientConnectResultCode.Success, code);
    }

    private protected Task<Enrolment.Enrolled> EnrolAsync() => Fleet.EnrolAsync();

    private protected async Task<MqttTestClient> ServerAsync() =>
        await MqttTestClient.ConnectAsync(MqttPort, MqttServerCredential.UserName, Fleet.Services.GetRequiredService<MqttServerCredential>().Password, "edgeml-server-test");
}
