using EdgeMl.Agent.Messaging;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Telemetry;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Rollouts;

/// <summary>Rollouts end to end: a real server and real agents over gRPC on loopback.</summary>
public sealed class RolloutTests : IAsyncLifetime
{
    private const string V1 = "crack-detector:v1";
    private const string V2 = "crack-detector:v2";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-fleet-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly List<TestAgent> _agents = [];
    private TestFleet _fleet = null!;

    public async Task InitializeAsync()
    {
        // These servers never restart, so devices that are offline are offline from the first step (ServerKilledMidRolloutTests covers the grace).
        // Long enough for the agents to publish their status again to the embedded broker after a server restart (they
        // retry every second at most), short enough that a stopped agent does not hold a wave open for long.
        _fleet = await TestFleet.StartAsync(Path.Combine(_root, "server"), services => services.Configure<SyncOptions>(o => o.ReconnectGrace = TimeSpan.FromSeconds(10)));
        await _fleet.PushAsync(RepoPaths.Package("v1"));
        await _fleet.PushAsync(RepoPaths.Package("v2"));
    }

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Canary_takes_twenty_agents_to_the_new_version_through_four_waves()
    {
        await StartAgentsAsync(20);
        await RollOutAsync(V1, "100%");

        var started = await StartRolloutAsync(V2, "1,10%,50%,100%");
        var done = await _fleet.WaitForRolloutAsync(started.RolloutId, "completed", TimeSpan.FromMinutes(2));

        Assert.Equal([1, 1, 8, 10], done.Waves.Select(w => w.Targeted));
        Assert.All(done.Waves, w => Assert.Equal(w.Targeted, w.Updated));
        Assert.All(done.Waves, w => Assert.Equal("passed", w.Decision));
        await Eventually.HoldsAsync(() => Task.FromResult(_agents.Count(a => a.ActiveModel == V2)), n => n == 20, TimeSpan.FromSeconds(30), "every agent to score with v2");
        Assert.All(await _fleet.DevicesAsync(), d => Assert.Equal(V2, d.ActiveModel));
        var audit = await Eventually.HoldsAsync(
            async () => (await _fleet.Admin.ListAuditAsync(new ListAuditRequest { Limit = 500 })).Entries.Where(e => e.Subject == started.RolloutId).ToList(),
            entries => entries.Any(e => e.Action == "rollout.complete"),
            TimeSpan.FromSeconds(10),
            "the completion in the audit log");
        Assert.Equal(3, audit.Count(e => e.Action == "rollout.wave"));
    }

    [Fact]
    public async Task Canary_takes_v3_over_v2_and_every_agent_loads_its_full_resolution_input()
    {
        const string v3 = "crack-detector:v3";
        await _fleet.PushAsync(RepoPaths.Package("v3"));
        await StartAgentsAsync(4);
        await RollOutAsync(V2, "100%");

        var started = await StartRolloutAsync(v3, "1,50%,100%");
        var done = await _fleet.WaitForRolloutAsync(started.RolloutId, "completed", TimeSpan.FromMinutes(2));

        Assert.Equal([1, 1, 2], done.Waves.Select(w => w.Targeted));
        Assert.All(done.Waves, w => Assert.Equal("passed", w.Decision));
        // An agent reports the version active only after it loaded the 960x540 graph, so this fails if v3 cannot run.
        await Eventually.HoldsAsync(() => Task.FromResult(_agents.Count(a => a.ActiveModel == v3)), n => n == 4, TimeSpan.FromSeconds(30), "every agent to score with v3");
        Assert.All(await _fleet.DevicesAsync(), d => Assert.Equal(v3, d.ActiveModel));
    }

    [Fact]
    public async Task A_rollout_to_an_agent_that_says_it_cannot_read_the_manifest_is_refused_before_it_sends_anything()
    {
        const string v3 = "crack-detector:v3";
        await _fleet.PushAsync(RepoPaths.Package("v3"));
        await StartAgentsAsync(2);
        await RollOutAsync(V2, "100%");
        // Running agents said what they read when they enrolled, and again each time they connected.
        var stores = _fleet.Services.GetRequiredService<FleetStores>();
        var read = await stores.Devices.ManifestFieldsAsync(CancellationToken.None);
        Assert.All(_agents, a => Assert.Equal(ManifestFields.Known, read[a.DeviceId!]));

        // An agent from before `explanation`, which v3's manifest sets, enrolls over gRPC as it would.
        using var channel = GrpcChannel.ForAddress(_fleet.GrpcAddress);
        var client = new DeviceService.DeviceServiceClient(channel);
        var older = await client.EnrolAsync(new EnrolRequest
        {
            Token = await _fleet.TokenAsync(),
            Hostname = "older",
            AgentVersion = "0.9",
            ManifestFields = { ManifestFields.Known.Where(f => !f.StartsWith("explanation", StringComparison.Ordinal)) },
        });

        var refused = await Assert.ThrowsAsync<RpcException>(() => StartRolloutAsync(v3, "1,100%"));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(
            $"1 of 3 devices would refuse {v3}: their agents do not read the manifest's explanation ({older.DeviceId}); update those agents first, choose a selector without them, or leave them out (--skip-old-agents)",
            refused.Status.Detail);
        Assert.All(await _fleet.DevicesAsync(), d => Assert.NotEqual(v3, d.DesiredModel));

        // The older device has no tags: a selector of the updated agents' tag leaves it out.
        var started = await StartRolloutAsync(v3, "100%", selector: "site=a");
        await _fleet.WaitForRolloutAsync(started.RolloutId, "completed");
        await Eventually.HoldsAsync(() => Task.FromResult(_agents[0].ActiveModel), m => m == v3, TimeSpan.FromSeconds(30), "the site=a agent to score with v3");
        Assert.Equal(V2, _agents[1].ActiveModel);

        // Updated, the older device's agent says so when it connects, with or without a model to report on; then nothing is refused.
        var credentials = new Metadata { { CallerIdentity.DeviceHeader, older.DeviceId }, { "authorization", "Bearer " + older.DeviceSecret } };
        using var watch = client.WatchDesiredState(new WatchDesiredStateRequest { ManifestFields = { ManifestFields.Known } }, credentials);
        _ = watch.ResponseStream.MoveNext();
        await Eventually.HoldsAsync(
            async () => (await stores.Devices.ManifestFieldsAsync(CancellationToken.None))[older.DeviceId], f => f.SequenceEqual(ManifestFields.Known), TimeSpan.FromSeconds(30), "the updated list");
        Assert.Equal("running", (await StartRolloutAsync(v3, "100%")).State);
    }

    [Fact]
    public async Task Broken_model_is_stopped_at_wave_one_and_rolled_back()
    {
        await StartAgentsAsync(5);
        await RollOutAsync(V1, "100%");
        // The manifest lies about the input size: the server cannot tell, the device finds out when it loads the model.
        await _fleet.PushVariantAsync("v2", "v3-broken", m => m["input"]!["width"] = 300);

        var started = await StartRolloutAsync("crack-detector:v3-broken", "1,50%,100%");
        var rolled = await _fleet.WaitForRolloutAsync(started.RolloutId, "rolled-back");

        Assert.Single(rolled.Waves);
        Assert.Equal("rolled back", rolled.Waves[0].Decision);
        Assert.Contains("1 of 1 devices failed", rolled.Reason, StringComparison.Ordinal);
        var devices = await _fleet.DevicesAsync();
        Assert.All(devices, d => Assert.Equal(V1, d.DesiredModel));
        var failure = Assert.Single(await FailuresAsync());
        Assert.Contains("crack-detector:v3-broken: model package", failure.Detail, StringComparison.Ordinal);
        Assert.Contains("the manifest says NCHW [N,1,360,300]", failure.Detail, StringComparison.Ordinal);
        Assert.All(devices, d => Assert.Equal(V1, d.ActiveModel));
        Assert.All(_agents, a => Assert.Equal(V1, a.ActiveModel));
    }

    [Fact]
    public async Task Offline_agent_does_not_block_its_wave_and_catches_up_when_back()
    {
        await StartAgentsAsync(3);
        await RollOutAsync(V1, "100%");
        var offline = _agents[2];
        await offline.StopAsync();
        await Eventually.HoldsAsync(_fleet.DevicesAsync, d => d.Count(x => x.Online) == 2, TimeSpan.FromSeconds(20), "the stopped agent to show offline");

        var started = await StartRolloutAsync(V2, "100%");
        var done = await _fleet.WaitForRolloutAsync(started.RolloutId, "completed");

        Assert.Equal(1, done.Waves[0].Offline);
        Assert.Equal(2, done.Waves[0].Updated);
        await offline.StartAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(offline.ActiveModel), m => m == V2, TimeSpan.FromSeconds(30), "the returning agent to take v2");
        // The agent swaps before it reports, so the server learns of it a moment later.
        await Eventually.HoldsAsync(
            async () => (await _fleet.DevicesAsync()).Single(d => d.DeviceId == offline.DeviceId).ActiveModel, m => m == V2, TimeSpan.FromSeconds(30), "the server to see the returning agent on v2");
    }

    [Fact]
    public async Task Rollout_continues_after_the_server_restarts()
    {
        await StartAgentsAsync(6);
        await RollOutAsync(V1, "100%");
        var started = await StartRolloutAsync(V2, "1,50%,100%", bakeSeconds: 2);
        await Eventually.HoldsAsync(() => _fleet.RolloutAsync(started.RolloutId), r => r.Waves.Count >= 1 && r.Waves[0].Updated == 1, TimeSpan.FromSeconds(30), "wave 1 to update its device");

        await _fleet.StopAsync();
        await _fleet.StartAsync();

        var done = await _fleet.WaitForRolloutAsync(started.RolloutId, "completed", TimeSpan.FromMinutes(2));
        Assert.Equal(3, done.Waves.Count);
        Assert.Equal(6, done.Waves.Sum(w => w.Updated));
        await Eventually.HoldsAsync(() => Task.FromResult(_agents.Count(a => a.ActiveModel == V2)), n => n == 6, TimeSpan.FromSeconds(30), "every agent to score with v2");
    }

    [Fact]
    public async Task Agent_refuses_an_older_version_unless_the_server_rolls_back()
    {
        await StartAgentsAsync(2);
        await RollOutAsync(V2, "100%");

        var started = await StartRolloutAsync(V1, "100%");
        var stopped = await _fleet.WaitForRolloutAsync(started.RolloutId, "rolled-back");

        Assert.Contains("failed", stopped.Reason, StringComparison.Ordinal);
        Assert.Contains(await FailuresAsync(), f => f.Detail.Contains("refusing to move back to crack-detector:v1 (sequence 1, below 2) without a rollback instruction", StringComparison.Ordinal));
        Assert.All(_agents, a => Assert.Equal(V2, a.ActiveModel));
    }

    [Fact]
    public async Task Tampered_bundle_is_refused_by_the_agent_which_keeps_its_model()
    {
        await StartAgentsAsync(2);
        await RollOutAsync(V1, "100%");
        var bundle = Path.Combine(_fleet.Options.DataDirectory, "artifacts", "crack-detector", "v2.bundle");
        var bytes = await File.ReadAllBytesAsync(bundle);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(bundle, bytes);

        var started = await StartRolloutAsync(V2, "100%");
        await _fleet.WaitForRolloutAsync(started.RolloutId, "rolled-back");

        Assert.Contains(await FailuresAsync(), f => f.Detail.Contains("the signed desired state says", StringComparison.Ordinal));
        Assert.All(_agents, a => Assert.Equal(V1, a.ActiveModel));
    }

    [Fact]
    public async Task Paused_rollout_waits_until_resumed_and_an_aborted_one_stays_where_it_is()
    {
        await StartAgentsAsync(4);
        await RollOutAsync(V1, "100%");
        var started = await StartRolloutAsync(V2, "1,100%", bakeSeconds: 1);
        await Control(started.RolloutId, "pause");

        await Eventually.HoldsAsync(() => _fleet.RolloutAsync(started.RolloutId), r => r.Waves[0].Updated == 1, TimeSpan.FromSeconds(30), "wave 1 to update its device");
        var paused = await _fleet.RolloutAsync(started.RolloutId);
        Assert.Equal(("paused", 1), (paused.State, paused.Waves.Count));

        await Control(started.RolloutId, "resume");
        await Eventually.HoldsAsync(() => _fleet.RolloutAsync(started.RolloutId), r => r.Waves.Count == 2, TimeSpan.FromSeconds(30), "wave 2 to start after resume");
        var aborted = await Control(started.RolloutId, "abort");
        Assert.Equal("aborted", aborted.State);
        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await Control(started.RolloutId, "resume"));
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, error.StatusCode);
    }

    [Fact]
    public async Task A_model_that_crashed_the_agent_while_loading_is_failed_not_retried()
    {
        await StartAgentsAsync(1);
        await RollOutAsync(V1, "100%");
        // What three deaths while loading v2 leave behind (the mark is written before each load and removed after it).
        await _agents[0].StopAsync();
        await File.WriteAllTextAsync(Path.Combine(_agents[0].DataDirectory, "loading"), $"{V2}\n3\n");
        await _agents[0].StartAsync();

        var started = await StartRolloutAsync(V2, "100%");
        await _fleet.WaitForRolloutAsync(started.RolloutId, "rolled-back");

        Assert.Contains(await FailuresAsync(), f => f.Detail.Contains("(crash loop)", StringComparison.Ordinal));
        Assert.Equal(V1, _agents[0].ActiveModel);
    }

    [Fact]
    public async Task One_failed_agent_in_ten_at_a_ten_percent_gate_lets_the_rollout_complete()
    {
        await StartAgentsAsync(10);
        await RollOutAsync(V1, "100%");
        // This agent died three times loading v2, so it reports v2 as failed: one failure in ten, within the default 10 % gate.
        var failing = _agents[0];
        await failing.StopAsync();
        await File.WriteAllTextAsync(Path.Combine(failing.DataDirectory, "loading"), $"{V2}\n3\n");
        await failing.StartAsync();

        var started = await StartRolloutAsync(V2, "100%");
        var done = await _fleet.WaitForRolloutAsync(started.RolloutId, "completed");

        var wave = Assert.Single(done.Waves);
        Assert.Equal((10, 9, 1, "passed"), (wave.Targeted, wave.Updated, wave.Failed, wave.Decision));
        Assert.Equal(V1, failing.ActiveModel);
    }

    [Fact]
    public async Task Blue_green_warms_every_device_then_switches_them_together()
    {
        await StartAgentsAsync(3);
        await RollOutAsync(V1, "100%");

        var started = await StartRolloutAsync(V2, "100%", mode: "blue-green");
        await _fleet.WaitForRolloutAsync(started.RolloutId, "waiting-switch");

        Assert.All(await _fleet.DevicesAsync(), d => Assert.Equal(DeviceModelState.Ready, d.State));
        Assert.All(_agents, a => Assert.Equal(V1, a.ActiveModel));
        await _fleet.Admin.ControlRolloutAsync(new ControlRolloutRequest { RolloutId = started.RolloutId, Action = "switch" });
        var done = await _fleet.WaitForRolloutAsync(started.RolloutId, "completed");
        Assert.Equal(["100%", "switch"], done.Waves.Select(w => w.Size));
        await Eventually.HoldsAsync(() => Task.FromResult(_agents.Count(a => a.ActiveModel == V2)), n => n == 3, TimeSpan.FromSeconds(20), "every agent to switch to v2");
    }

    [Fact]
    public async Task Shadow_runs_the_new_model_beside_the_active_one_which_keeps_deciding()
    {
        await StartAgentsAsync(2);
        await RollOutAsync(V1, "100%");

        var started = await StartRolloutAsync(V2, "100%", mode: "shadow");
        await _fleet.WaitForRolloutAsync(started.RolloutId, "completed");

        Assert.All(_agents, a =>
        {
            Assert.Equal(V1, a.ActiveModel);
            Assert.Equal(V2, a.Models.Current!.Shadow!.Manifest.Id);
        });
    }

    [Fact]
    public async Task Admin_rolls_back_a_completed_rollout_to_the_previous_version()
    {
        await StartAgentsAsync(2);
        await RollOutAsync(V1, "100%");
        var upgrade = await StartRolloutAsync(V2, "100%");
        await _fleet.WaitForRolloutAsync(upgrade.RolloutId, "completed");

        var rolled = await _fleet.Admin.ControlRolloutAsync(new ControlRolloutRequest { RolloutId = upgrade.RolloutId, Action = "rollback" });

        Assert.Equal("rolled-back", rolled.State);
        await Eventually.HoldsAsync(() => Task.FromResult(_agents.Count(a => a.ActiveModel == V1)), n => n == 2, TimeSpan.FromSeconds(20), "every agent back on v1");
        Assert.Contains((await _fleet.Admin.ListAuditAsync(new ListAuditRequest())).Entries, e => e.Action == "rollout.rollback" && e.Actor.StartsWith("admin-", StringComparison.Ordinal));
    }

    private async Task<RolloutStatus> Control(string id, string action) =>
        await _fleet.Admin.ControlRolloutAsync(new ControlRolloutRequest { RolloutId = id, Action = action });

    private async Task<List<AuditEntry>> FailuresAsync() =>
        (await _fleet.Admin.ListAuditAsync(new ListAuditRequest { Limit = 500 })).Entries.Where(e => e.Action == "device.failed").ToList();

    private async Task StartAgentsAsync(int count)
    {
        // Agents as `run` makes them, MQTT included: a device is online by its retained status on the broker.
        var configuration = new ConfigurationBuilder().Build();
        for (var i = 0; i < count; i++)
        {
            var data = Path.Combine(_root, $"agent-{i}");
            var agent = new TestAgent(
                _fleet.GrpcAddress, await _fleet.TokenAsync(), data, $"site={(i % 2 == 0 ? "a" : "b")},line={i % 3}",
                services: s => s.AddOutbox(configuration, data).AddTelemetry(configuration).AddMessaging(configuration));
            _agents.Add(agent);
        }

        await Task.WhenAll(_agents.Select(a => a.StartAsync()));
        await Eventually.HoldsAsync(_fleet.DevicesAsync, d => d.Count(x => x.Online) == count, TimeSpan.FromSeconds(30), $"{count} agents online");
    }

    private async Task RollOutAsync(string model, string waves)
    {
        var rollout = await StartRolloutAsync(model, waves);
        await _fleet.WaitForRolloutAsync(rollout.RolloutId, "completed");
        await Eventually.HoldsAsync(() => Task.FromResult(_agents.Where(a => a.DeviceId is not null).Count(a => a.ActiveModel != model)), n => n == 0, TimeSpan.FromSeconds(30), $"agents to score with {model}");
    }

    private async Task<RolloutStatus> StartRolloutAsync(string model, string waves, int bakeSeconds = 0, string mode = "canary", string selector = "")
    {
        var request = new StartRolloutRequest { Model = model, BakeSeconds = bakeSeconds, Mode = mode, Selector = selector };
        request.Waves.Add(waves.Split(','));
        return await _fleet.Admin.StartRolloutAsync(request);
    }
}
