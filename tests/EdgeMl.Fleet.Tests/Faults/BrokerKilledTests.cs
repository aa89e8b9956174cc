using System.Diagnostics;
using EdgeMl.Agent.Escalation;
using EdgeMl.Agent.Messaging;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Telemetry;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using EdgeMl.Fleet.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Faults;

/// <summary>
/// Mosquitto killed -9 while a device publishes telemetry, kept down while the device spools and escalates cases, and
/// started again on its port without the sessions it held: every aggregate the device made is stored once, every case
/// reaches the server, and the device is online again on a new connection.
/// </summary>
[Collection(FaultCollection.Name)]
[Trait("Category", "FaultInjection")]
public sealed class BrokerKilledTests(FaultLedger ledger)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    // Down until the device has spooled a minute of telemetry at the default 10 s interval (the test's interval is 1 s),
    // so the outage spans publishing rather than falling between two aggregates.
    private const int SpooledWhileDown = 6;

    // And at least this long: past the server ingestion's first reconnect attempts (0.2 + 0.4 + 0.8 + 1.6 s), so both
    // sides come back through their backoff, not through a first quick retry.
    private static readonly TimeSpan DownAtLeast = TimeSpan.FromSeconds(4);

    private const int CasesWhileDown = 3;

    [Fact]
    public async Task Telemetry_and_cases_made_while_mosquitto_is_killed_arrive_once_each_after_it_comes_back()
    {
        var root = Directory.CreateTempSubdirectory("edgeml-kill-broker-").FullName;
        var broker = new MosquittoBroker();
        await broker.InitializeAsync();
        try
        {
            await using var fleet = await TestFleet.StartAsync(broker.DataDirectory, mqttBroker: broker.Address);
            var data = Path.Combine(root, "agent");
            var settings = new Dictionary<string, string?> { ["Telemetry:Interval"] = "00:00:01", ["Mqtt:KeepAlive"] = "00:00:02" };
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            await using var agent = new TestAgent(
                fleet.GrpcAddress, await fleet.TokenAsync(), data, "site=faults",
                configure: o =>
                {
                    o.Replay = Path.Combine(RepoPaths.Root, "models", "crack-detector", "samples");
                    o.Fps = 20;
                },
                services: s => s.AddOutbox(configuration, data).AddTelemetry(configuration).AddMessaging(configuration).AddCases(configuration));
            await agent.StartAsync();
            var device = agent.DeviceId!;
            var stores = fleet.Services.GetRequiredService<FleetStores>();
            var presence = fleet.Services.GetRequiredService<DevicePresence>();
            var outbox = agent.Services.GetRequiredService<OutboxStore>();
            async Task<IReadOnlyList<TelemetryRecord>> StoredAsync() => await stores.Telemetry.ListAsync(new TelemetryQuery { DeviceIds = [device] }, CancellationToken.None);
            async Task<int> CasesAsync() => (await stores.Cases.ListAsync(null, CancellationToken.None)).Count(c => c.DeviceId == device);
            await Eventually.HoldsAsync(StoredAsync, s => s.Count >= 2, Patience, "the first aggregates stored through Mosquitto");
            var before = await Eventually.HoldsAsync(() => Task.FromResult(presence.Of(device)), p => p?.Online == true, Patience, "the device online");

            await broker.KillAsync();
            var down = Stopwatch.StartNew();
            foreach (var i in Enumerable.Range(1, CasesWhileDown))
            {
                await agent.Services.GetRequiredService<CaseSink>().ConsumeAsync(CaseAgent.Outcome($"outage-{i}"), CancellationToken.None);
            }

            await Eventually.HoldsAsync(
                () => Task.FromResult(outbox.Held(OutboxKind.Telemetry).Messages), n => n >= SpooledWhileDown && down.Elapsed >= DownAtLeast, Patience, $"{SpooledWhileDown} aggregates spooled while the broker is down");
            var spooled = outbox.ReadBatch(OutboxKind.Telemetry, 1000).Select(m => m.Id).ToList();
            // Cases go to the server over gRPC, not through the broker: the outage does not hold them back.
            await Eventually.HoldsAsync(CasesAsync, n => n == CasesWhileDown, Patience, "the cases escalated during the outage on the server");
            await broker.RestartAsync();

            // The restarted broker knows no session: the device may publish before the ingestion has subscribed again.
            var stored = await Eventually.HoldsAsync(StoredAsync, s => spooled.All(id => s.Any(r => r.Aggregate.MessageId == id)), Patience, "every aggregate spooled during the outage stored");
            await Eventually.HoldsAsync(() => Task.FromResult(presence.Of(device)), p => p is { Online: true } && p.Since > before!.Since, Patience, "the device online on a new connection");
            await Eventually.HoldsAsync(() => Task.FromResult(outbox.Held(OutboxKind.Telemetry).Messages), n => n == 0, Patience, "the device's telemetry all sent");
            stored = await StoredAsync();

            var missing = spooled.Count(id => stored.All(r => r.Aggregate.MessageId != id)) + Gaps(stored);
            var once = stored.Select(r => r.Aggregate.MessageId).Distinct().Count() == stored.Count;
            var cases = await CasesAsync();
            ledger.Record("mqtt broker killed -9 and restarted", missing == 0 && once && cases == CasesWhileDown, missing + Math.Abs(CasesWhileDown - cases));
            Assert.True(once, "an aggregate was stored twice");
            Assert.Equal(0, missing);
            Assert.Equal(CasesWhileDown, cases);
        }
        finally
        {
            await broker.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// Windows the device made that the store lacks: the device closes one window per interval, each starting where the
    /// last ended, so between the first stored and the newest a missing aggregate is a window that does not join up.
    /// </summary>
    private static int Gaps(IReadOnlyList<TelemetryRecord> stored)
    {
        var windows = stored.Select(r => r.Aggregate).OrderBy(a => a.WindowStart.ToDateTimeOffset()).ToList();
        return windows.Zip(windows.Skip(1)).Count(w => w.First.WindowEnd != w.Second.WindowStart);
    }
}
