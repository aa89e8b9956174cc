using System.Diagnostics;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Devices;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeMl.Fleet.Bench;

/// <summary>
/// Simulated devices, each with its own enrolled credential and MQTT connection, publish aggregates (QoS 1, one at a time, as
/// the agent does) through the broker a fleet server in this process ingests from; measures aggregates stored per second and
/// checks that every one was stored exactly once.
/// </summary>
internal sealed class TelemetryBenchmark(FleetServerOptions options, int devices, int perDevice, TextWriter progress)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    public async Task<(int Stored, int Expected, double Seconds)> RunAsync(CancellationToken cancellationToken)
    {
        await using var app = await FleetServerHost.BuildAsync(options, cancellationToken: cancellationToken);
        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<ListeningEndpoints>();
        var broker = options.MqttBroker is { } external ? new Uri(external) : new Uri($"mqtt://127.0.0.1:{bound.Mqtt!.Port}");
        var enrolment = app.Services.GetRequiredService<Enrolment>();
        var writer = app.Services.GetRequiredService<IngestionWriter>();
        await progress.WriteLineAsync($"enrolling and connecting {devices} devices to {broker.Authority}");
        var clients = new List<(IMqttClient Client, string DeviceId)>();
        try
        {
            for (var i = 0; i < devices; i++)
            {
                var (token, _) = await enrolment.IssueTokenAsync(TimeSpan.FromMinutes(10), "bench-telemetry", cancellationToken);
                var device = await enrolment.EnrolAsync(token, new Dictionary<string, string>(), $"bench-{i}", "bench", cancellationToken)
                    ?? throw new InvalidOperationException("enrolment refused a fresh token");
                var client = new MqttClientFactory().CreateMqttClient();
                clients.Add((client, device.DeviceId));
                await client.ConnectAsync(
                    new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithProtocolVersion(MqttProtocolVersion.V500)
                        .WithClientId(device.DeviceId).WithCredentials(device.DeviceId, device.Secret).WithCleanStart().Build(),
                    cancellationToken);
            }

            var before = writer.Stored;
            var expected = devices * perDevice;
            await progress.WriteLineAsync($"publishing {perDevice} aggregates per device, {expected} in all");
            var clock = Stopwatch.StartNew();
            var publishing = Task.WhenAll(clients.Select(c => PublishAsync(c.Client, c.DeviceId, cancellationToken)));
            var reported = TimeSpan.Zero;
            var published = false;
            while (writer.Stored - before < expected && clock.Elapsed < Deadline)
            {
                await Task.Delay(10, cancellationToken);
                if (publishing.IsCompleted && !published)
                {
                    published = true;
                    await progress.WriteLineAsync($"  {clock.Elapsed.TotalSeconds:F2} s: all published, {writer.Stored - before} stored");
                }

                if (clock.Elapsed - reported >= TimeSpan.FromSeconds(5))
                {
                    reported = clock.Elapsed;
                    await progress.WriteLineAsync($"  {reported.TotalSeconds:F0} s: {writer.Stored - before} stored");
                }
            }

            await publishing;

            var seconds = clock.Elapsed.TotalSeconds;
            var stored = await app.Services.GetRequiredService<FleetStores>().Telemetry.ListAsync(
                new TelemetryQuery { DeviceIds = [.. clients.Select(c => c.DeviceId)], Limit = expected + 1 }, cancellationToken);
            return (stored.Select(r => r.Aggregate.MessageId).Distinct().Count(), expected, seconds);
        }
        finally
        {
            foreach (var (client, _) in clients)
            {
                client.Dispose();
            }

            await app.StopAsync(CancellationToken.None);
        }
    }

    private async Task PublishAsync(IMqttClient client, string deviceId, CancellationToken cancellationToken)
    {
        var topic = DeviceTopics.Telemetry(deviceId);
        var start = DateTimeOffset.UtcNow;
        for (var i = 0; i < perDevice; i++)
        {
            var payload = Aggregate(start.AddSeconds(10 * i)).ToByteArray();
            var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
            var result = await client.PublishAsync(message, cancellationToken);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"the broker refused an aggregate of {deviceId}: {result.ReasonCode}");
            }
        }
    }

    /// <summary>An aggregate of a realistic size: a 10 s window at 60 frames/s with every histogram filled.</summary>
    private static ModelAggregate Aggregate(DateTimeOffset start)
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
            MessageId = Guid.CreateVersion7(start).ToString(),
            WindowStart = Timestamp.FromDateTimeOffset(start),
            WindowEnd = Timestamp.FromDateTimeOffset(start.AddSeconds(10)),
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
