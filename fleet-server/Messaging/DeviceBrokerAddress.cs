using System.Net;
using EdgeMl.Fleet.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Messaging;

/// <summary>
/// The broker a device is told at enrolment (EnrolResponse.mqtt_broker): the external one, or the embedded one at the host
/// the device reached this server at (the server cannot know its own address from the device's side). A broker on the
/// server's loopback is named the same way, since devices elsewhere cannot reach "localhost".
/// </summary>
internal sealed class DeviceBrokerAddress(IOptions<FleetServerOptions> options, ListeningEndpoints endpoints)
{
    /// <param name="authority">host[:port] the device's call was addressed to (its gRPC <c>:authority</c>).</param>
    public string For(string? authority)
    {
        var o = options.Value;
        var host = Uri.TryCreate("http://" + authority, UriKind.Absolute, out var called) && called.Host.Length > 0
            ? called.Host
            : IPAddress.TryParse(o.Bind, out var bind) && !bind.Equals(IPAddress.Any) && !bind.Equals(IPAddress.IPv6Any) ? new UriBuilder("http", o.Bind).Host : "localhost";
        if (o.MqttBroker is { } external)
        {
            var broker = new Uri(external);
            return broker.IsLoopback ? $"{broker.Scheme}://{host}{(broker.IsDefaultPort || broker.Port < 0 ? "" : $":{broker.Port}")}" : external;
        }

        return $"{(o.CertificatePath is null ? "mqtt" : "mqtts")}://{host}:{endpoints.Mqtt?.Port ?? o.MqttPort}";
    }
}
