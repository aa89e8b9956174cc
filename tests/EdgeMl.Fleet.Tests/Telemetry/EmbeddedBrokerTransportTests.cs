using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Telemetry;

/// <summary>Telemetry through the server's embedded broker.</summary>
public sealed class EmbeddedBrokerTransportTests : TelemetryTransportTests
{
    private protected override int MqttPort => Fleet.Options.MqttPort;

    private protected override Task<TestFleet> StartFleetAsync() => TestFleet.StartAsync(Path.Combine(Root, "fleet"));
}
