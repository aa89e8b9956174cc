namespace EdgeMl.Fleet.Telemetry;

/// <summary>
/// A device's message waiting to be stored. The device id is the topic's, which the broker tied to the device's credential;
/// <c>Name</c> is the topic's last level (telemetry, status, events). <c>AcknowledgeAsync</c> runs once the message is stored:
/// it acknowledges the delivery to the broker, or, for a message the embedded broker handed over, lets the broker answer the
/// device's PUBACK.
/// </summary>
internal sealed record IncomingMessage(string DeviceId, string Name, byte[] Payload, Func<CancellationToken, Task> AcknowledgeAsync);
