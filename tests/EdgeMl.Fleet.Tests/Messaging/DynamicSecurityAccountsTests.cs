using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Messaging;

/// <summary>The same rules on Mosquitto, configured by <c>mosquitto-config</c>, with device accounts made at enrolment through dynamic security.</summary>
public sealed class DynamicSecurityAccountsTests(MosquittoBroker broker) : BrokerAccessTests, IClassFixture<MosquittoBroker>
{
    private protected override int MqttPort => broker.Port;

    private protected override Task<TestFleet> StartFleetAsync() => TestFleet.StartAsync(broker.DataDirectory, mqttBroker: broker.Address);
}
