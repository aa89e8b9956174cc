using System.Text.RegularExpressions;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Bench;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Telemetry;

/// <summary>Ingestion from Mosquitto (configured by <c>mosquitto-config</c>) over several connections of one replica.</summary>
public sealed partial class MosquittoIngestionTests(MosquittoBroker broker) : IClassFixture<MosquittoBroker>
{
    private const int Devices = 5;
    // More than Mosquitto's defaults hold for four connections (20 in flight and 1,000 queued each) before it drops messages.
    private const int PerDevice = 1100;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_burst_held_back_by_the_database_is_read_over_several_connections_and_stored_once_each_none_dropped()
    {
        await using var fleet = await TestFleet.StartAsync(broker.DataDirectory, mqttBroker: broker.Address);
        var devices = new List<BenchMqttDevice>();
        try
        {
            for (var i = 0; i < Devices; i++)
            {
                var device = await fleet.EnrolAsync($"host-{i}");
                devices.Add(BenchMqttDevice.Connect("127.0.0.1", broker.Port, device.DeviceId, device.Secret));
            }

            var connections = await Eventually.HoldsAsync(
                () => Task.FromResult(IngestionClients().Matches(broker.Output).Select(m => m.Groups["id"].Value).Distinct().Count()),
                n => n >= fleet.Options.MqttIngestConnections, Patience, "every ingestion connection of the replica");
            Assert.Equal(fleet.Options.MqttIngestConnections, connections);

            // Another writer holds SQLite's write lock: what Mosquitto delivers stays unacknowledged, the rest waits in its queues.
            await using var holder = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(broker.DataDirectory, "fleet.db"), Pooling = false }.ToString());
            await holder.OpenAsync();
            await using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                await begin.ExecuteNonQueryAsync();
            }

            using var timeout = new CancellationTokenSource(Patience);
            await BenchMqttDevice.PublishAllAsync(devices, [.. devices.Select(d => BenchMqttDevice.PublishPackets(DeviceTopics.Telemetry(d.DeviceId), Payloads(d.DeviceId)))], timeout.Token);
            await using (var rollback = holder.CreateCommand())
            {
                rollback.CommandText = "ROLLBACK";
                await rollback.ExecuteNonQueryAsync();
            }

            var ids = devices.Select(d => d.DeviceId).ToList();
            var stored = await Eventually.HoldsAsync(
                () => fleet.Services.GetRequiredService<FleetStores>().Telemetry.ListAsync(new TelemetryQuery { DeviceIds = ids, Limit = (Devices * PerDevice) + 1 }, CancellationToken.None),
                s => s.Count >= Devices * PerDevice, Patience, "every aggregate of the burst stored");
            Assert.Equal(Devices * PerDevice, stored.Count);
            Assert.Equal(Devices * PerDevice, stored.Select(r => r.Aggregate.MessageId).Distinct().Count());
        }
        finally
        {
            foreach (var device in devices)
            {
                device.Dispose();
            }
        }
    }

    private static List<byte[]> Payloads(string deviceId) => [.. Enumerable.Range(0, PerDevice).Select(i => new ModelAggregate
    {
        MessageId = $"{deviceId}-{i}",
        WindowStart = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(1_767_225_600 + (10 * i))),
        WindowEnd = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(1_767_225_610 + (10 * i))),
        Role = ModelRole.Active,
        ModelName = "crack-detector",
        ModelVersion = "v1",
        Frames = 10,
    }.ToByteArray())];

    // Mosquitto logs each connection: "New client connected from 127.0.0.1:40000 as edgeml-server-ingest-<replica>[-n] (p5, ...".
    [GeneratedRegex(@"as (?<id>edgeml-server-ingest-[0-9a-f]+(-\d+)?) ")]
    private static partial Regex IngestionClients();
}
