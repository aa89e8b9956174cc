using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Messaging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Tests.Messaging;

public sealed class DeviceBrokerAddressTests
{
    [Fact]
    public void Names_the_embedded_broker_at_the_host_the_device_called()
    {
        var address = Address(new FleetServerOptions { MqttPort = 1883 });

        Assert.Equal("mqtt://fleet.example:1883", address.For("fleet.example:7400"));
        Assert.Equal("mqtt://[::1]:1883", address.For("[::1]:7400"));
    }

    [Fact]
    public void Names_the_embedded_broker_with_tls_when_the_server_has_a_certificate()
    {
        var address = Address(new FleetServerOptions { MqttPort = 8883, CertificatePath = "cert.pem", CertificateKeyPath = "key.pem" });

        Assert.Equal("mqtts://fleet.example:8883", address.For("fleet.example"));
    }

    [Fact]
    public void Names_an_external_broker_as_given_and_one_on_the_servers_loopback_at_the_host_the_device_called()
    {
        Assert.Equal("mqtt://broker.internal:1883", Address(new FleetServerOptions { MqttBroker = "mqtt://broker.internal:1883" }).For("fleet.example:7400"));
        Assert.Equal("mqtt://fleet.example:1884", Address(new FleetServerOptions { MqttBroker = "mqtt://127.0.0.1:1884" }).For("fleet.example:7400"));
    }

    private static DeviceBrokerAddress Address(FleetServerOptions options) => new(Options.Create(options), new ListeningEndpoints());
}
