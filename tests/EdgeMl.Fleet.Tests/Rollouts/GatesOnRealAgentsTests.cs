using System.Text.Json.Nodes;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;
using Xunit.Abstractions;

namespace EdgeMl.Fleet.Tests.Rollouts;

/// <summary>
/// The model gates judged on real agents: three agent hosts on one line (<c>site=a</c>) replay a real camera frame, score it
/// with ONNX Runtime and publish a telemetry aggregate every second through their outbox to the server's embedded MQTT broker
/// (port 0); the server ingests, and its rollout coordinator judges a one-device canary against the two devices still on the
/// previous version. Every camera replays the same single frame, so both cohorts score the same picture and their rates
/// differ only by model: a rate is 0 or 1, never a mix of whichever frames a window happened to hold.
/// </summary>
public sealed class GatesOnRealAgentsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string V2 = "crack-detector:v2";
    private const string Retrained = "crack-detector:v2-retrained";
    private const string ProbeV1 = "latency-probe:v1";
    private const string ProbeV2 = "latency-probe:v2";
    private const string Selector = "site=a";
    private const int Devices = 3;
    private const double Fps = 5;

    // The only sample v2 decides on its own: p(cracked) 0.9996, above its 0.982 band. Darkened to 30 % it falls to about 0.65 and goes to a person.
    private const string Frame = "00007_cracked.jpg";

    // Generous: on a loaded 2-core machine each agent loads ONNX Runtime sessions and a judged wave waits for telemetry windows.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly string _root = Directory.CreateTempSubdirectory("edgeml-real-gates-").FullName;
    private readonly List<TestAgent> _agents = [];
    private TestFleet _fleet = null!;

    private string Camera => Path.Combine(_root, "camera");

    public async Task InitializeAsync()
    {
        // The server never restarts here, so a device that is offline is offline from the first step.
        _fleet = await TestFleet.StartAsync(Path.Combine(_root, "server"), services => services.Configure<SyncOptions>(o => o.ReconnectGrace = TimeSpan.Zero));
        Directory.CreateDirectory(Camera);
        File.Copy(Path.Combine(RepoPaths.Root, "models", "crack-detector", "samples", Frame), Path.Combine(Camera, Frame));
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
    public async Task A_canary_of_a_more_uncertain_model_is_stopped_by_the_escalation_gate_and_its_device_returns_to_the_old_version()
    {
        await _fleet.PushAsync(RepoPaths.Package("v2"));
        // The demo's bad release: v2 with bands no frame reaches, so every frame goes to a person.
        await _fleet.PushVariantAsync("v2", "v2-unsure", m => m["decision"] = new JsonObject { ["thresholds"] = new JsonObject { ["ok"] = 1.0, ["cracked"] = 1.0 } });
        await StartLineAsync(V2);

        var started = await StartCanaryAsync("crack-detector:v2-unsure", Gates());
        var stopped = await _fleet.WaitForRolloutAsync(started.RolloutId, "rolled-back", Patience);

        Assert.Equal("wave 1: escalation rate 1 above the baseline's 0 by more than the limit (0.05)", stopped.Reason);
        var escalation = Gate(stopped, ModelGates.EscalationRate);
        Assert.Equal((GateVerdict.Fail, 1.0, 0.0), (escalation.Verdict, escalation.Value, escalation.Baseline));
        Assert.Equal("rolled back", stopped.Waves[0].Decision);
        Assert.All(await _fleet.DevicesAsync(), d => Assert.Equal(V2, d.DesiredModel));
        await EveryAgentOnAsync(V2);
    }

    [Fact]
    public async Task A_canary_of_a_slower_model_is_stopped_by_the_latency_gate_and_its_device_returns_to_the_old_version()
    {
        await _fleet.PushAsync(Probe("v1"));
        await _fleet.PushAsync(Probe("v2"));
        await StartLineAsync(ProbeV1);

        // Both probes answer 'ok' for every frame, so only latency tells them apart: v1 costs the JPEG's decode, v2 that plus
        // about 13 GFLOP of convolutions (Assets/make_latency_probe.py); scored one by one with 'edge-agent infer', 26 against
        // 330 ms a frame (medians). Load from other processes does not close the gap: both cohorts run at the same time in
        // the same process, so a busy CPU slows them alike and stretches the heavy work the most. Measured in this test on a
        // 2-core machine at load averages of 24 to 31 (parallel builds): p95 1049 against 66 ms, 1360 against 110, 1923
        // against 202, so 9 to 16 times where the gate allows 1.5.
        var gates = Gates();
        gates.MaxP95LatencyIncrease = 0.5;
        var started = await StartCanaryAsync(ProbeV2, gates);
        var stopped = await _fleet.WaitForRolloutAsync(started.RolloutId, "rolled-back", Patience);

        var latency = Gate(stopped, ModelGates.P95Latency);
        output.WriteLine($"p95 end-to-end latency: canary {latency.Value} ms, baseline {latency.Baseline} ms");
        Assert.StartsWith("wave 1: p95 latency ms ", stopped.Reason, StringComparison.Ordinal);
        Assert.Equal(GateVerdict.Fail, latency.Verdict);
        Assert.All(
            new[] { ModelGates.ErrorRate, ModelGates.EscalationRate }.Select(g => Gate(stopped, g)),
            g => Assert.Equal((GateVerdict.Pass, 0.0, 0.0), (g.Verdict, g.Value, g.Baseline)));
        Assert.All(await _fleet.DevicesAsync(), d => Assert.Equal(ProbeV1, d.DesiredModel));
        await EveryAgentOnAsync(ProbeV1);
    }

    [Fact]
    public async Task Frames_darkened_on_the_whole_line_do_not_stop_the_rollout_of_an_equally_good_model()
    {
        await StartRetrainedLineAsync();

        // The lamps dim over the whole line: from now on v2 sends every frame to a person, on every device.
        var dimmed = DateTimeOffset.UtcNow;
        Darken(Path.Combine(Camera, Frame), 0.3f);
        await Eventually.HoldsAsync(
            () => WindowsAsync(V2),
            windows => _agents.All(a => windows.Any(w => w.DeviceId == a.DeviceId && w.Aggregate.WindowStart.ToDateTimeOffset() > dimmed && w.Aggregate.Frames > 0 && w.Aggregate.Decisions.Escalate == w.Aggregate.Frames)),
            Patience,
            "every device on v2 to escalate every darkened frame");

        var started = await StartCanaryAsync(Retrained, Gates());
        var done = await _fleet.WaitForRolloutAsync(started.RolloutId, "completed", Patience);

        // Against v2's own figures before the change (0) the new version's escalation would be 1, far over the limit; the
        // baseline cohort, on the same darkened line at the same time, escalates every frame too.
        var escalation = Gate(done, ModelGates.EscalationRate);
        Assert.Equal((GateVerdict.Pass, 1.0, 1.0), (escalation.Verdict, escalation.Value, escalation.Baseline));
        Assert.All(done.Waves, w => Assert.Equal("passed", w.Decision));
        Assert.Equal("", done.Reason);
        await EveryAgentOnAsync(Retrained);
    }

    [Fact]
    public async Task A_wave_below_min_samples_pauses_as_inconclusive_and_does_not_pass_as_frames_come_in()
    {
        await StartRetrainedLineAsync();

        // More frames than the canary scores in this test: its probation passes, and the gates never have enough to judge.
        var gates = Gates();
        gates.MinSamples = 1_000_000;
        var started = await StartCanaryAsync(Retrained, gates);
        var paused = await Eventually.HoldsAsync(
            () => _fleet.RolloutAsync(started.RolloutId), r => r.Waves[0].Decision.StartsWith("inconclusive: ", StringComparison.Ordinal), Patience, "the canary's wave to pause as inconclusive");
        var later = await Eventually.HoldsAsync(
            () => _fleet.RolloutAsync(started.RolloutId), r => r.Waves[0].Samples >= paused.Waves[0].Samples + 20, Patience, "twenty more frames on the new version");

        Assert.Equal((1, 0), (paused.Waves[0].Updated, paused.Waves[0].Probation));
        Assert.Equal((RolloutState.Running, 0, 0L), (later.State, later.CurrentWave, later.Waves[0].CompletedAtUnixMs));
        Assert.Matches(@"^inconclusive: \d+ frames on the new version, below --min-samples 1000000$", later.Waves[0].Decision);
        Assert.All(later.Waves[0].Gates, g => Assert.Equal(GateVerdict.Inconclusive, g.Verdict));
    }

    [Fact]
    public async Task A_canary_that_stops_reporting_after_its_switch_counts_as_failed_after_the_silence_timeout()
    {
        await StartRetrainedLineAsync();

        // A probation longer than the test, so that the canary is still on it when it falls silent; a timeout ten times the
        // telemetry interval, so that only the stop, not a slow machine, makes it silent.
        var gates = Gates();
        gates.ProbationFrames = 1_000_000;
        gates.SilenceTimeoutSeconds = 10;
        var started = await StartCanaryAsync(Retrained, gates);
        await Eventually.HoldsAsync(() => _fleet.RolloutAsync(started.RolloutId), r => r.Waves[0].Probation == 1, Patience, "the server to see the canary switch");
        var canary = _agents.Single(a => a.ActiveModel == Retrained);
        await canary.StopAsync();
        var stopped = await _fleet.WaitForRolloutAsync(started.RolloutId, "rolled-back", Patience);

        Assert.StartsWith("wave 1: 1 of 1 devices failed", stopped.Reason, StringComparison.Ordinal);
        Assert.EndsWith("; 1 of them silent for more than 10 s", stopped.Reason, StringComparison.Ordinal);
        Assert.Equal((1, 1), (stopped.Waves[0].Failed, stopped.Waves[0].Silent));
        // Back on the line, the silent device takes the rollback to the version it ran before.
        await canary.StartAsync();
        await EveryAgentOnAsync(V2);
    }

    /// <summary>Sizes for a test: a device counts as updated after 15 frames (3 s at 5 frames/s), a wave is judged from 20.</summary>
    private static GateThresholds Gates() => new() { MinSamples = 20, ProbationFrames = 15, MaxErrorIncrease = 0.01, MaxEscalationIncrease = 0.05 };

    private static string Probe(string version) => Path.Combine(RepoPaths.Root, "tests", "EdgeMl.Fleet.Tests", "Rollouts", "Assets", "latency-probe-" + version);

    private static GateValue Gate(RolloutStatus rollout, string gate) => rollout.Waves[0].Gates.Single(g => g.Gate == gate);

    /// <summary>Starts the line's agents, takes them to <paramref name="model"/> without gates, and waits until each reports what that model decided.</summary>
    private async Task StartLineAsync(string model)
    {
        for (var i = 0; i < Devices; i++)
        {
            var agent = TestAgent.Publishing(_fleet.GrpcAddress, await _fleet.TokenAsync(), Path.Combine(_root, $"agent-{i}"), Selector, replay: Camera, fps: Fps);
            _agents.Add(agent);
            await agent.StartAsync();
        }

        var request = new StartRolloutRequest { Model = model, Selector = Selector, Mode = "canary" };
        request.Waves.Add("100%");
        var first = await _fleet.Admin.StartRolloutAsync(request);
        await _fleet.WaitForRolloutAsync(first.RolloutId, "completed", Patience);
        await EveryAgentOnAsync(model);
        var windows = await Eventually.HoldsAsync(
            () => WindowsAsync(model), w => _agents.All(a => w.Any(r => r.DeviceId == a.DeviceId && r.Aggregate.Frames > 0)), Patience, $"telemetry of {model} from every device");

        // Before any change each model decides every frame on its own, so any escalation the gates see later comes from the change.
        Assert.All(windows, w => Assert.Equal(0UL, w.Aggregate.Decisions.Escalate));
    }

    /// <summary>The line on v2, and v2's twin pushed as a later version: the same network and bands, so an equally good model.</summary>
    private async Task StartRetrainedLineAsync()
    {
        await _fleet.PushAsync(RepoPaths.Package("v2"));
        await _fleet.PushVariantAsync("v2", "v2-retrained");
        await StartLineAsync(V2);
    }

    private async Task<RolloutStatus> StartCanaryAsync(string model, GateThresholds gates)
    {
        var request = new StartRolloutRequest { Model = model, Selector = Selector, Mode = "canary", Gates = gates };
        request.Waves.Add(["1", "100%"]);
        return await _fleet.Admin.StartRolloutAsync(request);
    }

    private async Task EveryAgentOnAsync(string model) =>
        await Eventually.HoldsAsync(() => Task.FromResult(_agents.Count(a => a.ActiveModel == model)), n => n == Devices, Patience, $"every agent to score with {model}");

    private async Task<IReadOnlyList<TelemetryRecord>> WindowsAsync(string model)
    {
        var (name, version) = ModelRegistry.ParseId(model);
        return await _fleet.Services.GetRequiredService<FleetStores>().Telemetry.ListAsync(
            new TelemetryQuery { ModelName = name, ModelVersion = version, Role = ModelRole.Active }, CancellationToken.None);
    }

    /// <summary>Replaces a camera's frame with a darker copy in one rename, so the replay never reads half a file.</summary>
    private void Darken(string frame, float brightness)
    {
        using var original = SKBitmap.Decode(frame);
        using var surface = SKSurface.Create(new SKImageInfo(original.Width, original.Height));
        using var dim = new SKPaint
        {
            ColorFilter = SKColorFilter.CreateColorMatrix([brightness, 0, 0, 0, 0, 0, brightness, 0, 0, 0, 0, 0, brightness, 0, 0, 0, 0, 0, 1, 0]),
        };
        surface.Canvas.DrawBitmap(original, 0, 0, dim);
        using var image = surface.Snapshot();
        using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        var written = Path.Combine(_root, "darker.jpg");
        File.WriteAllBytes(written, jpeg.ToArray());
        File.Move(written, frame, overwrite: true);
    }
}
