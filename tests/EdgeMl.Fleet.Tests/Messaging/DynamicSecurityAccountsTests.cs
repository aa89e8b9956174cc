using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace EdgeMl.Fleet.Tests.Messaging;

/// <summary>The same rules on Mosquitto, configured by <c>mosquitto-config</c>, with device accounts made at enrolment through dynamic security.</summary>
public sealed class DynamicSecurityAccountsTests(MosquittoBroker broker) : BrokerAccessTests, IClassFixture<MosquittoBroker>
{
    private protected override int MqttPort => broker.Port;

    private protected override Task<TestFleet> StartFleetAsync() => TestFleet.StartAsync(broker.DataDirectory, mqttBroker: broker.Address);

    [Fact]
    public async Task A_device_without_an_account_on_the_broker_gets_one_on_its_next_call()
    {
        var device = await EnrolAsync();
        // As for a device enrolled while the server ran its embedded broker: in the database, unknown to Mosquitto,
        // and to a server just started with --mqtt-broker.
        await RemoveAccountOnlyAsync(device.DeviceId);
        await Fleet.StopAsync();
        await Fleet.StartAsync();
        Assert.Null((await MqttTestClient.TryConnectAsync(MqttPort, device.DeviceId, device.Secret, device.DeviceId)).Client);

        using var channel = GrpcChannel.ForAddress(Fleet.GrpcAddress);
        var credentials = new Metadata { { "x-edgeml-device", device.DeviceId }, { "authorization", "Bearer " + device.Secret } };
        // Any authenticated call will do; what the report says does not matter here.
        var call = await Record.ExceptionAsync(async () => await new DeviceService.DeviceServiceClient(channel).ReportStatusAsync(new StatusReport(), credentials));
        Assert.False(call is RpcException { StatusCode: StatusCode.Unauthenticated }, call?.Message);

        await using var client = await MqttTestClient.ConnectAsync(MqttPort, device.DeviceId, device.Secret, device.DeviceId);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await client.SubscribeAsync(TelemetryTopics.CommandFilter(device.DeviceId)));
    }

    /// <summary>Deletes the device's account on the broker, leaving the device enrolled.</summary>
    private async Task RemoveAccountOnlyAsync(string deviceId)
    {
        using var accounts = ActivatorUtilities.CreateInstance<DynamicSecurityAccounts>(Fleet.Services, new Uri(broker.Address));
        await accounts.RemoveDeviceAsync(deviceId, CancellationToken.None);
    }
}
