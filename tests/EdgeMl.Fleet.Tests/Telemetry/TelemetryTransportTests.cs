using EdgeMl.Agent.Outbox;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Tests.Telemetry;

/// <summary>
/// Real agents publish through a real broker (embedded, or Mosquitto with the generated configuration) and the server
/// ingests: exact counts, nothing lost or doubled while the broker is away, spooled data sent after a restart.
/// </summary>
public abstract class TelemetryTransportTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private protected string Root { get; } = Directory.CreateTempSubdirectory("edgeml-transport-").FullName;

    private protected TestFleet Fleet { get; private set; } = null!;

    private protected abstract int MqttPort { get; }

    public async Task InitializeAsync() => Fleet = await StartFleetAsync();

    public async Task DisposeAsync()
    {
        await Fleet.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    private protected abstract Task<TestFleet> StartFleetAsync();

    [Fact]
    public async Task A_real_agents_aggregates_are_stored_once_each_with_exact_counts_and_its_presence_follows_its_connection()
    {
        await Fleet.PushAsync(RepoPaths.Package("v1"));
        var input = Directory.CreateDirectory(Path.Combine(Root, "camera")).FullName;
        // No broker override: the agent uses the one the server named at enrolment.
        await using var agent = await AgentAsync("agent", input: input);
        await agent.StartAsync();
        var device = agent.DeviceId!;
        await Fleet.SetDesiredStateAsync(device, "crack-detector:v1");
        await Eventually.HoldsAsync(() => Task.FromResult(agent.ActiveModel), m => m == "crack-detector:v1", Patience, "the agent to load v1");
        await Eventually.HoldsAsync(() => Task.FromResult(Presence(device)), p => p?.Online == true, Patience, "the device's retained online status");

        var samples = Directory.GetFiles(Path.Combine(RepoPaths.Root, "models", "crack-detector", "samples"), "*.jpg").Take(5).ToList();
        foreach (var (sample, i) in samples.Select((s, i) => (s, i)))
        {
            File.Copy(sample, Path.Combine(input, $"frame-{i}.tmp"));
            File.Move(Path.Combine(input, $"frame-{i}.tmp"), Path.Combine(input, $"frame-{i}.jpg"));
        }

        var stored = await Eventually.HoldsAsync(
            () => StoredAsync(device), s => s.Sum(r => (long)r.Aggregate.Frames) >= 5, Patience, "five frames in the stored aggregates");
        var outbox = agent.Services.GetRequiredService<OutboxStore>();
        await Eventually.HoldsAsync(() => Task.FromResult(outbox.Usage.Messages), n => n == 0, Patience, "the agent's outbox to empty");

        stored = await StoredAsync(device);
        var frames = stored.Where(r => r.Aggregate.Frames > 0).Select(r => r.Aggregate).ToList();
        Assert.Equal(5UL, frames.Aggregate(0UL, (n, a) => n + a.Frames));
        Assert.All(frames, a => Assert.Equal(("crack-detector", "v1", ModelRole.Active), (a.ModelName, a.ModelVersion, a.Role)));
        var decisions = frames.Aggregate(0UL, (n, a) => n + a.Decisions.Auto + a.Decisions.Escalate + a.Decisions.Audit + a.Decisions.Error);
        Assert.Equal(5UL, decisions);
        Assert.Equal(5UL, frames.Aggregate(0UL, (n, a) => n + a.LabelCounts.Values.Aggregate(0UL, (m, c) => m + c)));
        Assert.Equal(stored.Count, stored.Select(r => r.Aggregate.MessageId).Distinct().Count());
        Assert.All(frames, a => Assert.True(a.RssBytes > 0, "the agent's resident memory is reported"));

        await agent.StopAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(Presence(device)), p => p?.Online == false, Patience, "the device's offline status after it stopped");
    }

    [Fact]
    public async Task Aggregates_spooled_while_the_broker_is_away_arrive_once_each_and_in_order_and_the_last_will_marks_the_device_offline_meanwhile()
    {
        await using var proxy = new SwitchableProxy(MqttPort);
        await using var agent = await AgentAsync("agent", replay: Samples(), broker: proxy.Address);
        await agent.StartAsync();
        var device = agent.DeviceId!;
        var outbox = agent.Services.GetRequiredService<OutboxStore>();
        await Eventually.HoldsAsync(() => StoredAsync(device), s => s.Count >= 2, Patience, "the first aggregates stored");
        await Eventually.HoldsAsync(() => Task.FromResult(Presence(device)), p => p?.Online == true, Patience, "the device online");

        proxy.TakeDown();
        await Eventually.HoldsAsync(() => Task.FromResult(Presence(device)), p => p?.Online == false, Patience, "the last will's offline status once the connection is cut");
        // Away for as long as it takes the agent to spool three intervals it cannot send, and to find the broker gone.
        await Eventually.HoldsAsync(() => Task.FromResult(outbox.Usage.Messages), n => n >= 3, Patience, "three aggregates spooled while the broker is away");
        await Eventually.HoldsAsync(() => Task.FromResult(proxy.Refused), n => n >= 1, Patience, "the agent trying to reconnect");
        var spooled = outbox.ReadBatch(1000).Select(m => m.Id).ToList();
        proxy.BringBack();

        var stored = await Eventually.HoldsAsync(
            () => StoredAsync(device), s => spooled.All(id => s.Any(r => r.Aggregate.MessageId == id)), Patience, "every aggregate spooled during the outage stored");
        AssertOnceAndInOrder(stored);
        await Eventually.HoldsAsync(() => Task.FromResult(Presence(device)), p => p?.Online == true, Patience, "the device online again");
    }

    [Fact]
    public async Task Aggregates_spooled_by_an_agent_stopped_while_the_broker_was_away_arrive_after_it_restarts()
    {
        await using var proxy = new SwitchableProxy(MqttPort);
        await using var agent = await AgentAsync("agent", replay: Samples(), broker: proxy.Address);
        await agent.StartAsync();
        var device = agent.DeviceId!;
        await Eventually.HoldsAsync(() => StoredAsync(device), s => s.Count >= 1, Patience, "the first aggregate stored");
        proxy.TakeDown();
        var outbox = agent.Services.GetRequiredService<OutboxStore>();
        await Eventually.HoldsAsync(() => Task.FromResult(outbox.Usage.Messages), n => n >= 2, Patience, "two aggregates spooled while the broker is away");
        await agent.StopAsync();
        var spooled = SpooledIds(agent.DataDirectory);
        Assert.True(spooled.Count >= 2, $"the stopped agent's outbox holds its spooled aggregates ({spooled.Count})");

        proxy.BringBack();
        await using var restarted = await AgentAsync("agent", replay: Samples(), broker: proxy.Address);
        await restarted.StartAsync();

        // The spooled aggregates, and a window of the restarted agent's own: the agent was down in between, so each run
        // is gap-free on its own and the second starts after the first ended.
        var stored = await Eventually.HoldsAsync(
            () => StoredAsync(device), s => spooled.All(id => s.Any(r => r.Aggregate.MessageId == id)) && StoppedAt(s, spooled) is var t && s.Any(r => End(r) > t),
            Patience, "the aggregates spooled before the restart stored, and one of the restarted agent's");
        var stoppedAt = StoppedAt(stored, spooled);
        Assert.Equal(stored.Count, stored.Select(r => r.Aggregate.MessageId).Distinct().Count());
        AssertOnceAndInOrder([.. stored.Where(r => End(r) <= stoppedAt)]);
        var second = stored.Where(r => End(r) > stoppedAt).ToList();
        Assert.All(second, r => Assert.True(r.Aggregate.WindowStart.ToDateTimeOffset() >= stoppedAt, "a window of the restarted agent reaches back into the first run"));
        AssertOnceAndInOrder(second);
    }

    private static DateTimeOffset End(TelemetryRecord r) => r.Aggregate.WindowEnd.ToDateTimeOffset();

    /// <summary>The end of the stopped agent's last window: the latest end among its spooled aggregates.</summary>
    private static DateTimeOffset StoppedAt(IEnumerable<TelemetryRecord> stored, List<string> spooled) =>
        stored.Where(r => spooled.Contains(r.Aggregate.MessageId)).Max(End);

    /// <summary>Each window once, one after the other without a gap, and stored in the order the device made them.</summary>
    private static void AssertOnceAndInOrder(IReadOnlyList<TelemetryRecord> stored)
    {
        var windows = stored.OrderBy(r => r.Aggregate.WindowStart.ToDateTimeOffset()).ToList();
        Assert.Equal(windows.Count, windows.Select(r => r.Aggregate.MessageId).Distinct().Count());
        for (var i = 1; i < windows.Count; i++)
        {
            Assert.Equal(windows[i - 1].Aggregate.WindowEnd, windows[i].Aggregate.WindowStart);
            Assert.True(windows[i - 1].ReceivedAt <= windows[i].ReceivedAt, $"window {i} was stored before window {i - 1}");
        }
    }

    private async Task<TestAgent> AgentAsync(string name, string? input = null, string? replay = null, string? broker = null) =>
        TestAgent.Publishing(Fleet.GrpcAddress, await Fleet.TokenAsync(), Path.Combine(Root, name), "site=a", input, replay, fps: 20, broker);

    private static string Samples() => Path.Combine(RepoPaths.Root, "models", "crack-detector", "samples");

    private DevicePresence.Presence? Presence(string device) => Fleet.Services.GetRequiredService<DevicePresence>().Of(device);

    private async Task<IReadOnlyList<TelemetryRecord>> StoredAsync(string device) =>
        await Fleet.Services.GetRequiredService<FleetStores>().Telemetry.ListAsync(new TelemetryQuery { DeviceIds = [device] }, CancellationToken.None);

    private static List<string> SpooledIds(string dataDirectory)
    {
        using var outbox = new OutboxStore(Options.Create(new OutboxOptions { Path = Path.Combine(dataDirectory, "outbox.db") }), TimeProvider.System, NullLogger<OutboxStore>.Instance);
        return [.. outbox.ReadBatch(1000, [OutboxKind.Telemetry]).Select(m => m.Id)];
    }
}
