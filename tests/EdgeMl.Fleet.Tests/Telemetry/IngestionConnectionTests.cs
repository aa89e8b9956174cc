using System.Collections.Concurrent;
using System.Text;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Bench;
using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Telemetry;
using EdgeMl.Fleet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EdgeMl.Fleet.Tests.Telemetry;

/// <summary>Ingestion's own MQTT connection against Mosquitto configured by <c>mosquitto-config</c>.</summary>
public sealed class IngestionConnectionTests(MosquittoBroker broker) : IClassFixture<MosquittoBroker>
{
    private const int Messages = 300;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Deliveries_not_acknowledged_when_the_connection_ends_come_again_on_the_next_and_acknowledged_ones_never_do()
    {
        await using var fleet = await TestFleet.StartAsync(broker.DataDirectory, mqttBroker: broker.Address);
        var enrolled = await fleet.EnrolAsync("host-resend");
        using var device = BenchMqttDevice.Connect("127.0.0.1", broker.Port, enrolled.DeviceId, enrolled.Secret);
        var ingestionBroker = fleet.Services.GetRequiredService<IngestionBroker>();
        var credential = fleet.Services.GetRequiredService<MqttServerCredential>();
        // Not the replicas' share group: this connection has its own copy of everything the device sends.
        string[] filter = [DeviceTopics.Telemetry(enrolled.DeviceId)];
        var clientId = $"{MqttServerCredential.UserName}-test-{Guid.NewGuid():N}";
        var payloads = Enumerable.Range(0, Messages + 1).Select(i => Encoding.UTF8.GetBytes($"aggregate {i}")).ToList();
        var marker = Encoding.UTF8.GetString(payloads[^1]);

        // First connection: every message arrives, none is acknowledged.
        PacketWriteLog? pubAcks = null;
        var first = new ConcurrentQueue<IncomingMessage>();
        await RunAsync(ingestionBroker, credential, clientId, filter, first, _ => { }, async () =>
        {
            await device.PublishAsync(BenchMqttDevice.PublishPackets(filter[0], payloads[..Messages]), CancellationToken.None);
            await Eventually.HoldsAsync(() => Task.FromResult(first.Count), n => n >= Messages, Patience, "every message on the first connection");
        });
        Assert.Equal(Messages, first.Count);

        // Second: the same session gets them all again, once each and in order; all but the marker sent after them are acknowledged.
        var second = new ConcurrentQueue<IncomingMessage>();
        await RunAsync(ingestionBroker, credential, clientId, filter, second, log => pubAcks = log, async () =>
        {
            await Eventually.HoldsAsync(() => Task.FromResult(second.Count), n => n >= Messages, Patience, "every unacknowledged message again");
            foreach (var message in second.Take(Messages))
            {
                await message.AcknowledgeAsync(CancellationToken.None);
            }

            await Eventually.HoldsAsync(() => Task.FromResult(pubAcks!.Count), n => n >= Messages, Patience, "every PUBACK written");

            await device.PublishAsync(BenchMqttDevice.PublishPackets(filter[0], payloads[Messages..]), CancellationToken.None);
            await Eventually.HoldsAsync(() => Task.FromResult(second.Count), n => n > Messages, Patience, "the marker");
        });
        Assert.Equal(payloads.Select(Encoding.UTF8.GetString), second.Select(m => Encoding.UTF8.GetString(m.Payload)));

        // Third: only the unacknowledged marker comes again; an acknowledged message would have come before it.
        var third = new ConcurrentQueue<IncomingMessage>();
        await RunAsync(ingestionBroker, credential, clientId, filter, third, _ => { }, () =>
            Eventually.HoldsAsync(() => Task.FromResult(third.Count), n => n >= 1, Patience, "the marker again"));
        Assert.Equal([marker], third.Select(m => Encoding.UTF8.GetString(m.Payload)));
        Assert.All(third, m => Assert.Equal((enrolled.DeviceId, DeviceTopics.TelemetryName), (m.DeviceId, m.Name)));
    }

    [Fact]
    public async Task A_delivery_held_back_longer_than_the_keep_alive_does_not_end_the_connection_and_the_next_message_follows()
    {
        await using var fleet = await TestFleet.StartAsync(broker.DataDirectory, mqttBroker: broker.Address);
        var enrolled = await fleet.EnrolAsync("host-held");
        using var device = BenchMqttDevice.Connect("127.0.0.1", broker.Port, enrolled.DeviceId, enrolled.Secret);
        var clock = new FakeTimeProvider();
        var held = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var received = new ConcurrentQueue<IncomingMessage>();
        async ValueTask Deliver(IncomingMessage message, CancellationToken cancellationToken)
        {
            received.Enqueue(message);
            if (received.Count == 1)
            {
                // As a full ingestion queue would: the reader stops, the broker's answers to the pings stay unread.
                held.TrySetResult();
                await release.Task.WaitAsync(cancellationToken);
            }
        }

        var pings = new PacketWriteLog(await fleet.Services.GetRequiredService<IngestionBroker>().OpenAsync(CancellationToken.None), header: 0xC0);
        await using var connection = await IngestionConnection.OpenAsync(
            pings, $"{MqttServerCredential.UserName}-test-{Guid.NewGuid():N}", MqttServerCredential.UserName,
            fleet.Services.GetRequiredService<MqttServerCredential>().Password, KeepAlive, TimeSpan.Zero, clock, CancellationToken.None);
        string[] filter = [DeviceTopics.Telemetry(enrolled.DeviceId)];
        await connection.SubscribeAsync(filter, Deliver, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var running = connection.RunAsync(Deliver, stop.Token);
        await device.PublishAsync(BenchMqttDevice.PublishPackets(filter[0], [[1], [2]]), CancellationToken.None);
        await held.Task.WaitAsync(Patience);

        // Three keep-alive periods pass with the reader held: a ping every half period, and the connection stays.
        for (var tick = 1; tick <= 6; tick++)
        {
            clock.Advance(KeepAlive / 2);
            await Eventually.HoldsAsync(() => Task.FromResult(pings.Count), n => n >= tick || running.IsCompleted, Patience, $"ping {tick}");
            Assert.False(running.IsCompleted, $"the connection ended while its delivery was held: {(running.IsCompleted ? await running : "")}");
        }

        release.SetResult();
        await Eventually.HoldsAsync(() => Task.FromResult(received.Count), n => n >= 2, Patience, "the second message");
        Assert.Equal([1, 2], received.Select(m => (int)m.Payload[0]));
        Assert.False(running.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_a_message_that_says_what_to_do()
    {
        await using var fleet = await TestFleet.StartAsync(broker.DataDirectory, mqttBroker: broker.Address);
        var stream = await fleet.Services.GetRequiredService<IngestionBroker>().OpenAsync(CancellationToken.None);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => IngestionConnection.OpenAsync(
            stream, $"{MqttServerCredential.UserName}-test-{Guid.NewGuid():N}", MqttServerCredential.UserName, "not-the-password",
            KeepAlive, TimeSpan.Zero, TimeProvider.System, CancellationToken.None));
        Assert.Contains("refused the connection", refused.Message, StringComparison.Ordinal);
        Assert.Contains("mosquitto-config", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>One connection of the session <paramref name="clientId"/> that collects deliveries until <paramref name="test"/> is done, then stops.</summary>
    private static async Task RunAsync(
        IngestionBroker broker, MqttServerCredential credential, string clientId, string[] filter, ConcurrentQueue<IncomingMessage> received, Action<PacketWriteLog> pubAcks, Func<Task> test)
    {
        ValueTask Collect(IncomingMessage message, CancellationToken cancellationToken)
        {
            received.Enqueue(message);
            return ValueTask.CompletedTask;
        }

        var written = new PacketWriteLog(await broker.OpenAsync(CancellationToken.None), header: 0x40);
        pubAcks(written);
        await using var connection = await IngestionConnection.OpenAsync(
            written, clientId, MqttServerCredential.UserName, credential.Password, KeepAlive, TimeSpan.FromMinutes(5),
            TimeProvider.System, CancellationToken.None);
        await connection.SubscribeAsync(filter, Collect, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var running = connection.RunAsync(Collect, stop.Token);
        await test();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }
}
