using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Telemetry;

/// <summary>Telemetry through Mosquitto configured by <c>mosquitto-config</c>, read by the server through a shared subscription.</summary>
public sealed class MosquittoTransportTests(MosquittoBroker broker) : TelemetryTransportTests, IClassFixture<MosquittoBroker>
{
    private protected override int MqttPort => broker.Port;

    private protected override Task<TestFleet> StartFleetAsync() => TestFleet.StartAsync(broker.DataDirectory, mqttBroker: broker.Address);
}
