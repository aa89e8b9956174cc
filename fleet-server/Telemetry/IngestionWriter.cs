using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Alerts;
using EdgeMl.Fleet.Storage;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Fleet.Telemetry;

/// <summary>
/// Stores one batch of delivered messages: the telemetry aggregates in one transaction (idempotent by message id, so a
/// redelivery is harmless), status into <see cref="DevicePresence"/>, events into the log (a case queue filling up raises outbox_near_full). A payload that does not parse is
/// dropped with a warning: delivering it again would not make it readable.
/// </summary>
internal sealed partial class IngestionWriter(FleetStores stores, DevicePresence presence, AlertService alerts, TimeProvider time, ILogger<IngestionWriter> logger)
{
    private long _stored;
    private long _duplicates;

    /// <summary>Aggregates stored since start, not counting redeliveries.</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Aggregates delivered again and skipped.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Throws what the database throws: nothing of the batch is stored then, and the caller tries it again.</summary>
    public async Task WriteAsync(IReadOnlyList<IncomingMessage> batch, TelemetryBatchWriter telemetry, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var records = new List<TelemetryRecord>(batch.Count);
        foreach (var message in batch)
        {
            switch (message.Name)
            {
                case DeviceTopics.TelemetryName when Parse(message, ModelAggregate.Parser) is { } aggregate:
                    if (aggregate.MessageId.Length == 0)
                    {
                        LogUnreadable(logger, message.Name, message.DeviceId, message.Payload.Length, "no message_id, so it could not be stored once");
                    }
                    else
                    {
                        records.Add(new TelemetryRecord(message.DeviceId, now, aggregate, message.Payload));
                    }

                    break;
                case DeviceTopics.StatusName:
                    // An empty retained message clears the topic: nothing is known about the device any more.
                    presence.Update(message.DeviceId, message.Payload.Length == 0 || Parse(message, DeviceStatus.Parser) is not { } status
                        ? null
                        : new DevicePresence.Presence(status.Online, status.Since?.ToDateTimeOffset() ?? now, status.AgentVersion));
                    break;
                case DeviceTopics.EventsName when Parse(message, DeviceEvent.Parser) is { } deviceEvent:
                    Log(message.DeviceId, deviceEvent);
                    await AlertAsync(message.DeviceId, deviceEvent, cancellationToken);
                    break;
            }
        }

        var added = await telemetry.AddAsync(records, cancellationToken);
        Interlocked.Add(ref _stored, added);
        Interlocked.Add(ref _duplicates, records.Count - added);
    }

    /// <summary>The connection <see cref="WriteAsync"/> stores aggregates over, owned by the one loop that writes.</summary>
    public TelemetryBatchWriter OpenTelemetryWriter() => stores.Telemetry.OpenWriter();

    // The device's case queue is the one alert only the device can see coming; raising twice is harmless (one per condition).
    private async Task AlertAsync(string deviceId, DeviceEvent deviceEvent, CancellationToken cancellationToken)
    {
        var key = new AlertKey(AlertKinds.OutboxNearFull, deviceId);
        if (deviceEvent.Kind == DeviceEventKind.CaseQueueFilling)
        {
            var queue = deviceEvent.CaseQueue ?? new CaseQueueAlert();
            var severity = queue.Refused ? AlertSeverity.Critical : AlertSeverity.Warning;
            await alerts.RaiseAsync(key, severity, $"{deviceEvent.Detail}: {queue.CasesWaiting} cases ({queue.CaseBytes} bytes) wait for upload, bounds {queue.MaxMessages} messages / {queue.MaxBytes} bytes", cancellationToken);
        }
        else if (deviceEvent.Kind == DeviceEventKind.CaseQueueDrained)
        {
            await alerts.ClearAsync(key, cancellationToken);
        }
    }

    private T? Parse<T>(IncomingMessage message, MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        try
        {
            return parser.ParseFrom(message.Payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            LogUnreadable(logger, message.Name, message.DeviceId, message.Payload.Length, e.Message);
            return null;
        }
    }

    private void Log(string deviceId, DeviceEvent deviceEvent)
    {
        var model = deviceEvent.ModelName.Length == 0 ? "-" : $"{deviceEvent.ModelName}:{deviceEvent.ModelVersion}";
        if (deviceEvent.Kind == DeviceEventKind.Error)
        {
            LogDeviceError(logger, deviceId, model, deviceEvent.Detail);
        }
        else
        {
            LogDeviceEvent(logger, deviceId, deviceEvent.Kind, model, deviceEvent.Detail);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unreadable {Topic} message from {DeviceId} ({Length} bytes) dropped: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string topic, string deviceId, int length, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId}: {Kind} {Model} {Detail}")]
    private static partial void LogDeviceEvent(ILogger logger, string deviceId, DeviceEventKind kind, string model, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId} reports an error with {Model}: {Detail}")]
    private static partial void LogDeviceError(ILogger logger, string deviceId, string model, string detail);
}
