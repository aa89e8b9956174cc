using System.Net.Http.Headers;
using System.Text.Json;
using EdgeMl.Agent.Messaging;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Telemetry;
using EdgeMl.Fleet.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace EdgeMl.Fleet.Tests.Telemetry;

/// <summary>
/// Two replicas on one PostgreSQL and one Mosquitto: a device whose desired-state stream is on one of them is online on
/// both (<c>/api/devices</c> and <c>device list</c>), from its retained MQTT status, and offline on both after its last will.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplicaPresenceTests(PostgresServer postgres, MosquittoBroker broker) : IClassFixture<MosquittoBroker>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_device_streaming_to_one_replica_is_online_on_both_and_offline_on_both_after_its_last_will()
    {
        var root = Directory.CreateTempSubdirectory("edgeml-replica-presence-").FullName;
        var database = (PostgresTestDatabase)await postgres.CreateDatabaseAsync();
        await using var first = await TestFleet.StartAsync(broker.DataDirectory, postgres: database.ConnectionString, mqttBroker: broker.Address);
        // The second replica on a copy of the data directory (same keys and broker credential), as on a host of its own:
        // replicas on one host and one directory share an MQTT client id, and the broker lets only one of them connect.
        var copy = Path.Combine(root, "second-replica");
        CopyDirectory(broker.DataDirectory, copy);
        await using var second = await TestFleet.StartAsync(copy, postgres: database.ConnectionString, mqttBroker: broker.Address);
        // The agent's MQTT connection goes through a proxy the test can cut, so that the broker publishes its last will.
        await using var proxy = new SwitchableProxy(broker.Port);
        var settings = new Dictionary<string, string?> { ["Mqtt:Broker"] = proxy.Address, ["Mqtt:KeepAlive"] = "00:00:02" };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var data = Path.Combine(root, "agent");
        await using var agent = new TestAgent(
            first.GrpcAddress, await first.TokenAsync(), data, "site=a",
            services: s => s.AddOutbox(configuration, data).AddTelemetry(configuration).AddMessaging(configuration));
        try
        {
            await agent.StartAsync();
            var device = agent.DeviceId!;
            await Eventually.HoldsAsync(first.DevicesAsync, d => d.Single().StreamHere, Patience, "the agent's desired-state stream on the first replica");

            foreach (var replica in new[] { first, second })
            {
                await Eventually.HoldsAsync(() => ApiOnlineAsync(replica, device), online => online, Patience, "the device online in /api/devices");
                Assert.Contains($"{device}  site=a  online", await DeviceListAsync(replica), StringComparison.Ordinal);
            }

            Assert.False((await second.DeviceAsync(device)).StreamHere);
            // Prometheus says the same on both. (Only presence: the two replicas share this process, so each one's /metrics also
            // reads the other's instruments; the per-replica stream gauge is checked with replicas in processes of their own.)
            Assert.Equal((1, 1), (await GaugeAsync(first, "edgeml_devices_online"), await GaugeAsync(second, "edgeml_devices_online")));

            proxy.TakeDown();

            foreach (var replica in new[] { first, second })
            {
                await Eventually.HoldsAsync(() => ApiOnlineAsync(replica, device), online => !online, Patience, "the device offline in /api/devices after its last will");
                Assert.Contains($"{device}  site=a  offline", await DeviceListAsync(replica), StringComparison.Ordinal);
            }

            // Its gRPC stream never closed: presence is the broker's word, not the stream's.
            Assert.True((await first.DeviceAsync(device)).StreamHere);
            Assert.Equal((0, 0), (await GaugeAsync(first, "edgeml_devices_online"), await GaugeAsync(second, "edgeml_devices_online")));
        }
        finally
        {
            await agent.StopAsync();
            await first.StopAsync();
            await second.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    private static async Task<bool> ApiOnlineAsync(TestFleet fleet, string device)
    {
        using var client = new HttpClient { BaseAddress = new Uri(fleet.HttpAddress) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fleet.AdminToken);
        using var json = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/devices", UriKind.Relative)));
        return json.RootElement.EnumerateArray().Single(d => d.GetProperty("id").GetString() == device).GetProperty("online").GetBoolean();
    }

    private static async Task<int> GaugeAsync(TestFleet fleet, string name)
    {
        using var client = new HttpClient { BaseAddress = new Uri(fleet.HttpAddress) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fleet.AdminToken);
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal));
        return int.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> DeviceListAsync(TestFleet fleet)
    {
        var result = await FleetCli.RunAsync(["device", "list", "--server", fleet.GrpcAddress], fleet.AdminToken);
        Assert.True(result.ExitCode == 0, result.Error);
        return result.Output;
    }
}
