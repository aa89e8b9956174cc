using MQTTnet;

namespace EdgeMl.Fleet.Telemetry;

/// <summary>
/// A device's message as the broker delivered it, held unacknowledged (<c>Delivery</c>) until it is stored. The device id is the
/// topic's, which the broker tied to the device's credential; <c>Name</c> is the topic's last level (telemetry, status, events).
/// </summary>
internal sealed record IncomingMessage(string DeviceId, string Name, byte[] Payload, MqttApplicationMessageReceivedEventArgs Delivery);
