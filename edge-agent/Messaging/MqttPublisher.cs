using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Sync;
using EdgeMl.Contracts.Telemetry;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace EdgeMl.Agent.Messaging;

/// <summary>
/// Drains the outbox's telemetry and events to the broker, oldest first, one QoS 1 publish at a time: a message leaves
/// the outbox only after its PUBACK, so a broker that goes away (or an agent that dies) loses nothing, and the next
/// connection resends from the oldest unacknowledged message, in order. A PUBACK that says no subscriber took the message
/// is not a delivery: a broker that restarted without its sessions (Mosquitto killed -9 loses them) accepts and drops
/// whatever arrives before the server's ingestion has subscribed again, so the message stays and is sent again later.
/// MQTTnet 5 has no managed client, so this loop reconnects with backoff, and pings while there is nothing to send to
/// find a dead connection. Each connection leaves a retained <c>offline</c> status as its last will and first publishes
/// a retained <c>online</c> one.
/// </summary>
internal sealed partial class MqttPublisher(
    OutboxStore outbox,
    DeviceEnrolment enrolment,
    MqttConnectionFactory connections,
    IOptions<MqttOptions> options,
    IOptions<AgentOptions> agent,
    TimeProvider time,
    ILogger<MqttPublisher> logger) : BackgroundService
{
    private const int BatchSize = 64;
    private static readonly OutboxKind[] Kinds = [OutboxKind.Telemetry, OutboxKind.Event];
    private static readonly TimeSpan GoodbyeTimeout = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _work = new(0);
    private long _published;

    /// <summary>Messages the broker acknowledged since start.</summary>
    public long Published => Interlocked.Read(ref _published);

    public override void Dispose()
    {
        _work.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var identity = await enrolment.EnsureAsync(stoppingToken);
        var broker = BrokerAddress.Parse(options.Value.Broker ?? identity.MqttBroker);
        if (broker is null)
        {
            // Not fatal: scoring goes on and the outbox keeps the newest telemetry within its bounds.
            LogNoBroker(logger, identity.DeviceId);
            return;
        }

        outbox.Enqueued += OnEnqueued;
        try
        {
            for (var failures = 0; !stoppingToken.IsCancellationRequested;)
            {
                using var client = new MqttClientFactory().CreateMqttClient();
                try
                {
                    var connectedAt = time.GetUtcNow();
                    await client.ConnectAsync(connections.Options(identity, broker, connectedAt), stoppingToken);
                    await PublishAsync(client, DeviceTopics.Status(identity.DeviceId), MqttConnectionFactory.Status(online: true, connectedAt).ToByteArray(), retain: true, stoppingToken);
                    LogConnected(logger, broker, failures);
                    failures = 0;
                    await DrainAsync(client, identity.DeviceId, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested && IsBrokerFailure(e))
                {
                    if (failures++ == 0)
                    {
                        LogBrokerAway(logger, broker, e.Message);
                    }

                    await Task.Delay(Backoff(failures), time, stoppingToken);
                }
                catch (Exception e) when (stoppingToken.IsCancellationRequested && IsBrokerFailure(e))
                {
                    await SayGoodbyeAsync(client, identity.DeviceId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping while waiting to reconnect: nothing was connected.
        }
        finally
        {
            outbox.Enqueued -= OnEnqueued;
        }
    }

    /// <summary>Publishes until the connection fails (an exception) or the agent stops.</summary>
    private async Task DrainAsync(IMqttClient client, string deviceId, CancellationToken cancellationToken)
    {
        for (var unheard = 0; ;)
        {
            var batch = outbox.ReadBatch(BatchSize, Kinds);
            if (batch.Count == 0)
            {
                await WaitForWorkAsync(client, cancellationToken);
                continue;
            }

            foreach (var message in batch)
            {
                var topic = message.Kind == OutboxKind.Telemetry ? DeviceTopics.Telemetry(deviceId) : DeviceTopics.Events(deviceId);
                if (await PublishAsync(client, topic, message.Payload, retain: false, cancellationToken) == MqttClientPublishReasonCode.NoMatchingSubscribers)
                {
                    if (unheard++ == 0)
                    {
                        LogNobodySubscribed(logger, topic);
                    }

                    // Connected, so no reconnect: wait, then send this message (the oldest) again, with those behind it. Never
                    // quieter than the keep-alive, or the broker would drop the connection and publish the offline will.
                    var wait = Backoff(unheard);
                    await Task.Delay(wait < options.Value.KeepAlive ? wait : options.Value.KeepAlive, time, cancellationToken);
                    break;
                }

                unheard = 0;
                outbox.Acknowledge(message.Id);
                Interlocked.Increment(ref _published);
            }
        }
    }

    /// <summary>Returns when the outbox has new messages; while it has none, pings every keep-alive so a dead connection is found.</summary>
    private async Task WaitForWorkAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        using var quiet = new CancellationTokenSource(options.Value.KeepAlive, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, quiet.Token);
        try
        {
            await _work.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (!client.IsConnected || !await client.TryPingAsync(cancellationToken))
            {
                throw new MqttCommunicationException("the broker did not answer a ping");
            }
        }
    }

    /// <summary>Success, or NoMatchingSubscribers where the broker took the message but nobody received it (a retained one is kept all the same).</summary>
    private static async Task<MqttClientPublishReasonCode> PublishAsync(IMqttClient client, string topic, byte[] payload, bool retain, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        var result = await client.PublishAsync(message, cancellationToken);
        if (!result.IsSuccess)
        {
            // Kept in the outbox and sent again on the next connection: a broker whose rules were wrong may be fixed meanwhile.
            throw new MqttCommunicationException($"the broker refused a message on {topic}: {result.ReasonCode} {result.ReasonString}");
        }

        return result.ReasonCode;
    }

    /// <summary>A clean stop is not a lost connection: the broker would not publish the will, so the agent says offline itself.</summary>
    private async Task SayGoodbyeAsync(IMqttClient client, string deviceId)
    {
        if (!client.IsConnected)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(GoodbyeTimeout, time);
        try
        {
            await PublishAsync(client, DeviceTopics.Status(deviceId), MqttConnectionFactory.Status(online: false, time.GetUtcNow()).ToByteArray(), retain: true, timeout.Token);
            await client.DisconnectAsync(cancellationToken: timeout.Token);
        }
        catch (Exception e) when (IsBrokerFailure(e))
        {
            // The broker is gone as well; it publishes the will when it notices, or already did.
        }
    }

    private void OnEnqueued(OutboxKind kind)
    {
        // One pending wake is enough: each wake drains everything there is.
        if (Array.IndexOf(Kinds, kind) >= 0 && _work.CurrentCount == 0)
        {
            _work.Release();
        }
    }

    private static bool IsBrokerFailure(Exception e) =>
        e is MqttCommunicationException or MqttClientNotConnectedException or IOException or System.Net.Sockets.SocketException or OperationCanceledException;

    private TimeSpan Backoff(int failures)
    {
        var o = agent.Value;
        var delay = Math.Min(o.MaxBackoff.TotalMilliseconds, o.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20)));
        // Jitter, so that a fleet whose broker restarts does not come back in one wave.
        return TimeSpan.FromMilliseconds(delay * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No MQTT broker known for {DeviceId}: telemetry stays in the outbox; set Mqtt:Broker (EDGEML_MQTT__BROKER), or enrol with a server that names one")]
    private static partial void LogNoBroker(ILogger logger, string deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to the MQTT broker {Broker} (after {Failures} failed attempts)")]
    private static partial void LogConnected(ILogger logger, BrokerAddress broker, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The MQTT broker has no subscriber for {Topic}, so the fleet server's ingestion is not (yet) subscribed, as after a broker restart; messages wait in the outbox and are sent again with backoff")]
    private static partial void LogNobodySubscribed(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Broker} unreachable ({Reason}); telemetry waits in the outbox, retrying with backoff")]
    private static partial void LogBrokerAway(ILogger logger, BrokerAddress broker, string reason);
}
