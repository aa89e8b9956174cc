using System.Diagnostics;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Devices;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Bench;

/// <summary>
/// Simulated devices (<see cref="BenchMqttDevice"/>), each with its own enrolled credential and MQTT connection, publish
/// aggregates (QoS 1, one at a time, as the agent does) through the broker a fleet server in this process ingests from;
/// measures aggregates stored per second and checks that every one was stored exactly once. Beside it, in the same run, the
/// two bounds: the broker alone (the same publishers, a subscriber that acknowledges on arrival and stores nothing) and the
/// store alone (no broker). Packets are encoded before the clock starts, so the publishers cost only their socket work.
/// </summary>
internal sealed class TelemetryBenchmark(FleetServerOptions options, int devices, int perDevice, TextWriter progress, Process? broker = null)
{
    // Not a topic ingestion reads: the broker-alone phase reaches only the bench's own subscriber.
    private const string BrokerOnlyName = "bench";

    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Stalled = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan SubscriberKeepAlive = TimeSpan.FromSeconds(60);

    public async Task<TelemetryBenchResult> RunAsync(CancellationToken cancellationToken)
    {
        await using var app = await FleetServerHost.BuildAsync(options, cancellationToken: cancellationToken);
        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<ListeningEndpoints>();
        var broker = options.MqttBroker is { } external ? new Uri(external) : new Uri($"mqtt://127.0.0.1:{bound.Mqtt!.Port}");
        var enrolment = app.Services.GetRequiredService<Enrolment>();
        var stores = app.Services.GetRequiredService<FleetStores>();
        await progress.WriteLineAsync($"enrolling and connecting {devices} devices to {broker.Authority}");
        var clients = new List<BenchMqttDevice>();
        try
        {
            for (var i = 0; i < devices; i++)
            {
                var (token, _) = await enrolment.IssueTokenAsync(TimeSpan.FromMinutes(10), "bench-telemetry", cancellationToken);
                var device = await enrolment.EnrolAsync(token, new Dictionary<string, string>(), $"bench-{i}", "bench", [], cancellationToken)
                    ?? throw new InvalidOperationException("enrolment refused a fresh token");
                clients.Add(BenchMqttDevice.Connect(broker.Host, broker.Port, device.DeviceId, device.Secret));
            }

            var payloads = Payloads(devices, DateTimeOffset.UtcNow);
            await progress.WriteLineAsync($"{perDevice} aggregates of {payloads[0][0].Length} bytes per device, {devices * perDevice} in all");
            var brokerAlone = await BrokerAloneAsync(app.Services.GetRequiredService<IngestionBroker>(), app.Services.GetRequiredService<MqttServerCredential>(), clients, payloads, cancellationToken);
            await progress.WriteLineAsync(brokerAlone.ToString());
            var stored = await StoredAsync(app.Services.GetRequiredService<IngestionWriter>(), stores, clients, payloads, cancellationToken);
            await progress.WriteLineAsync(stored.ToString());
            var storeAlone = await StoreAloneAsync(stores, cancellationToken);
            return new TelemetryBenchResult(brokerAlone, storeAlone, stored);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            await app.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// The same publishers through the same broker to subscribers that acknowledge on arrival: as many connections as ingestion
    /// reads over (ingestion's own <see cref="IngestionConnection"/>), in a share group on an external broker, so that the bound
    /// is the broker's, not one subscriber's.
    /// </summary>
    private async Task<TelemetryBenchPhase> BrokerAloneAsync(
        IngestionBroker broker, MqttServerCredential credential, List<BenchMqttDevice> clients, byte[][][] payloads, CancellationToken cancellationToken)
    {
        var arrived = 0;
        var count = options.MqttBroker is not null ? options.MqttIngestConnections : 1;
        var subscribers = new List<(IngestionConnection Connection, Task<string> Running)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ValueTask Arrived(IncomingMessage message, CancellationToken token)
        {
            Interlocked.Increment(ref arrived);
            return new ValueTask(message.AcknowledgeAsync(token));
        }

        try
        {
            for (var i = 0; i < count; i++)
            {
                var connection = await IngestionConnection.OpenAsync(
                    await broker.OpenAsync(cancellationToken), $"{MqttServerCredential.UserName}-bench-{Guid.NewGuid():N}", MqttServerCredential.UserName,
                    credential.Password, SubscriberKeepAlive, TimeSpan.Zero, TimeProvider.System, cancellationToken);
                subscribers.Add((connection, Task.FromResult("")));
                await connection.SubscribeAsync([broker.Filter(BrokerOnlyName, share: true)], Arrived, cancellationToken);
                subscribers[^1] = (connection, connection.RunAsync(Arrived, stop.Token));
            }

            var name = $"{Describe()}, broker alone ({count} subscriber{(count == 1 ? "" : "s")} acknowledging on arrival, nothing stored)";
            return await MeasureAsync(name, clients, BrokerOnlyName, payloads, () => Volatile.Read(ref arrived), cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var (connection, running) in subscribers)
            {
                try
                {
                    await running;
                }
                catch (OperationCanceledException)
                {
                    // Stopped: the phase is over.
                }

                await connection.DisposeAsync();
            }
        }
    }

    private async Task<TelemetryBenchPhase> StoredAsync(
        IngestionWriter writer, FleetStores stores, List<BenchMqttDevice> clients, byte[][][] payloads, CancellationToken cancellationToken)
    {
        var before = writer.Stored;
        var phase = await MeasureAsync($"{Describe()}, stored", clients, DeviceTopics.TelemetryName, payloads, () => (int)(writer.Stored - before), cancellationToken);
        // Counted again from the database: every aggregate once, none lost, whatever the writer's counter says.
        var expected = devices * perDevice;
        var rows = await stores.Telemetry.ListAsync(new TelemetryQuery { DeviceIds = [.. clients.Select(c => c.DeviceId)], Limit = expected + 1 }, cancellationToken);
        return phase with { Done = rows.Select(r => r.Aggregate.MessageId).Distinct().Count() };
    }

    /// <summary>The same number of aggregates parsed and written in ingestion's batches by one writer, as ingestion's, with no broker: what the database allows.</summary>
    private async Task<TelemetryBenchPhase> StoreAloneAsync(FleetStores stores, CancellationToken cancellationToken)
    {
        var payloads = Payloads(devices, DateTimeOffset.UtcNow.AddYears(-1));
        await using var writer = stores.Telemetry.OpenWriter();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var batch = new List<TelemetryRecord>(TelemetryIngestion.BatchSize);
        var added = 0;
        for (var i = 0; i < perDevice; i++)
        {
            for (var d = 0; d < devices; d++)
            {
                batch.Add(new TelemetryRecord($"bench-store-{d}", DateTimeOffset.UtcNow, ModelAggregate.Parser.ParseFrom(payloads[d][i]), payloads[d][i]));
                if (batch.Count == TelemetryIngestion.BatchSize || (i == perDevice - 1 && d == devices - 1))
                {
                    added += await writer.AddAsync(batch, cancellationToken);
                    batch.Clear();
                }
            }
        }

        return new TelemetryBenchPhase($"store alone ({(options.Postgres is null ? "SQLite" : "PostgreSQL")}, batches of {TelemetryIngestion.BatchSize})", added, devices * perDevice,
            clock.Elapsed.TotalSeconds, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    private async Task<TelemetryBenchPhase> MeasureAsync(
        string name, List<BenchMqttDevice> clients, string topicName, byte[][][] payloads, Func<int> done, CancellationToken cancellationToken)
    {
        var expected = devices * perDevice;
        var packets = clients.Select((c, d) => BenchMqttDevice.PublishPackets($"{DeviceTopics.Root}/{c.DeviceId}/{topicName}", payloads[d])).ToList();
        await progress.WriteLineAsync($"{name}: publishing");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var brokerCpu = BrokerCpu();
        var clock = Stopwatch.StartNew();
        var publishing = BenchMqttDevice.PublishAllAsync(clients, packets, cancellationToken);
        var reported = TimeSpan.Zero;
        var published = false;
        var (last, lastMoved) = (0, TimeSpan.Zero);
        // Up to the deadline, or until nothing has come through for a while after the last aggregate was sent: lost then.
        while (done() < expected && clock.Elapsed < Deadline && !(publishing.IsCompleted && clock.Elapsed - lastMoved > Stalled))
        {
            await Task.Delay(10, cancellationToken);
            if (done() != last)
            {
                (last, lastMoved) = (done(), clock.Elapsed);
            }

            if (publishing.IsCompleted && !published)
            {
                published = true;
                await progress.WriteLineAsync($"  {clock.Elapsed.TotalSeconds:F2} s: all published, {done()} through");
            }

            if (clock.Elapsed - reported >= TimeSpan.FromSeconds(5))
            {
                reported = clock.Elapsed;
                await progress.WriteLineAsync($"  {reported.TotalSeconds:F0} s: {done()} through");
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var brokerUsed = BrokerCpu() - brokerCpu;
        await publishing;
        return new TelemetryBenchPhase(name, done(), expected, seconds, used, brokerUsed);
    }

    private TimeSpan? BrokerCpu()
    {
        broker?.Refresh();
        return broker?.TotalProcessorTime;
    }

    private string Describe() => options.MqttBroker ?? "embedded broker";

    /// <summary>Every device's aggregates, serialised: one realistic aggregate, its message id and window changed for each.</summary>
    private byte[][][] Payloads(int count, DateTimeOffset start)
    {
        var template = Aggregate();
        var payloads = new byte[count][][];
        for (var d = 0; d < count; d++)
        {
            payloads[d] = new byte[perDevice][];
            for (var i = 0; i < perDevice; i++)
            {
                var windowStart = start.AddSeconds(10 * i);
                var aggregate = template.Clone();
                aggregate.MessageId = Guid.CreateVersion7(windowStart).ToString();
                aggregate.WindowStart = Timestamp.FromDateTimeOffset(windowStart);
                aggregate.WindowEnd = Timestamp.FromDateTimeOffset(windowStart.AddSeconds(10));
                payloads[d][i] = aggregate.ToByteArray();
            }
        }

        return payloads;
    }

    /// <summary>An aggregate of a realistic size: a 10 s window at 60 frames/s with every histogram filled.</summary>
    private static ModelAggregate Aggregate()
    {
        var latency = new Histogram(BucketLayout.LatencyMicroseconds);
        var confidence = new Histogram(BucketLayout.Probability);
        for (var f = 0; f < 600; f++)
        {
            latency.Record(4000 + (f % 50 * 200));
            confidence.Record(0.5 + (f % 50 / 100.0));
        }

        var aggregate = new ModelAggregate
        {
            Role = ModelRole.Active,
            ModelName = "crack-detector",
            ModelVersion = "v2",
            ExecutionProvider = "cpu",
            Frames = 600,
            Decisions = new DecisionCounts { Auto = 560, Escalate = 30, Audit = 10 },
            DecodeLatencyUs = latency.ToMessage(),
            InferenceLatencyUs = latency.ToMessage(),
            EndToEndLatencyUs = latency.ToMessage(),
            Confidence = confidence.ToMessage(),
            CpuPercent = 35,
            RssBytes = 130L * 1024 * 1024,
        };
        aggregate.LabelCounts.Add("ok", 540);
        aggregate.LabelCounts.Add("cracked", 60);
        return aggregate;
    }
}
