using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using EdgeMl.Contracts.Fleet;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Cli;

/// <summary>
/// <c>rollout start</c>'s gate flags and <c>rollout status</c>'s gate readings against a running server, whose devices'
/// telemetry goes straight into its store (agents will publish it over MQTT).
/// </summary>
public sealed class RolloutGateCliTests : IAsyncLifetime
{
    private const string V1 = "crack-detector:v1";
    private const string V2 = "crack-detector:v2";
    private static readonly HttpClient Http = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-gates-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;

    private FleetStores Stores => _fleet.Services.GetRequiredService<FleetStores>();

    public async Task InitializeAsync()
    {
        _fleet = await TestFleet.StartAsync(Path.Combine(_root, "server"));
        await _fleet.PushAsync(RepoPaths.Package("v1"));
        await _fleet.PushAsync(RepoPaths.Package("v2"));
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Status_shows_each_gate_with_its_value_baseline_limit_and_verdict_after_a_slow_canary_is_stopped()
    {
        var devices = await LineOnV1Async(4);

        var start = await RunAsync("rollout", "start", "--model", V2, "--selector", "site=a", "--waves", "1,100%", "--bake", "0s",
            "--max-p95-latency-ms", "500", "--max-p95-latency-increase", "0.25", "--json");
        Assert.Equal(0, start.ExitCode);
        var started = JsonNode.Parse(start.Output)!;
        var gates = started["gates"]!;
        Assert.Equal((200L, 600L, 0.25), (gates["probationFrames"]!.GetValue<long>(), gates["silenceTimeoutSeconds"]!.GetValue<long>(), gates["maxP95LatencyIncrease"]!.GetValue<double>()));
        Assert.Equal((0.05, 0.01), (gates["maxEscalationIncrease"]!.GetValue<double>(), gates["maxErrorIncrease"]!.GetValue<double>()));
        var id = started["rolloutId"]!.GetValue<string>();
        var canary = Assert.Single(await Stores.Rollouts.ListDevicesAsync(id, CancellationToken.None)).DeviceId;
        await ReportAsync(canary, V2);
        var switched = await Eventually.HoldsAsync(
            async () => (await Stores.Rollouts.ListDevicesAsync(id, CancellationToken.None)).Single().SwitchedAt,
            at => at is not null, TimeSpan.FromSeconds(30), "the engine to see the canary switch");
        var end = switched!.Value.AddMilliseconds(100);
        await Stores.Telemetry.AddAsync(
            [.. devices.Select(d => d == canary ? TestTelemetry.Window(d, V2, end, 250, latencyMs: 45) : TestTelemetry.Window(d, V1, end, 250, latencyMs: 20))],
            CancellationToken.None);
        await _fleet.WaitForRolloutAsync(id, "rolled-back");

        var text = await RunAsync("rollout", "status", id);
        var json = JsonNode.Parse((await RunAsync("rollout", "status", id, "--json")).Output)!;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{_fleet.HttpAddress}/api/rollouts/{id}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _fleet.AdminToken);
        using var http = await Http.SendAsync(request);

        var line = Assert.Single(text.Output.Split('\n'), l => l.TrimStart().StartsWith("p95 latency ms", StringComparison.Ordinal));
        Assert.Matches(@"p95 latency ms +4\d\.\d+ +baseline +2\d\.\d+ +limit +500 +relative limit +2\d\.\d+ +fail: ", line);
        var gate = json["waves"]![0]!["gates"]!.AsArray().Single(g => g!["gate"]!.GetValue<string>() == "p95 latency ms")!;
        Assert.Equal(("p95 latency ms", "fail", 500.0), (gate["gate"]!.GetValue<string>(), gate["verdict"]!.GetValue<string>(), gate["limit"]!.GetValue<double>()));
        Assert.InRange(gate["baseline"]!.GetValue<double>() * 1.25, gate["relativeLimit"]!.GetValue<double>() - 1e-9, gate["relativeLimit"]!.GetValue<double>() + 1e-9);
        Assert.Equal(250, json["waves"]![0]!["samples"]!.GetValue<long>());
        Assert.Equal(json["waves"]!.ToJsonString(), JsonNode.Parse(await http.Content.ReadAsStringAsync())!["waves"]!.ToJsonString());
    }

    [Fact]
    public async Task The_audited_error_gate_set_on_start_waits_for_verdicts_then_stops_a_canary_they_overturn_and_status_shows_it()
    {
        var devices = await LineOnV1Async(3);

        var start = await RunAsync("rollout", "start", "--model", V2, "--selector", "site=a", "--waves", "1,100%", "--bake", "0s",
            "--probation-frames", "0", "--max-audited-error-rate", "0.1", "--json");
        Assert.Equal(0, start.ExitCode);
        var id = JsonNode.Parse(start.Output)!["rolloutId"]!.GetValue<string>();
        var canary = Assert.Single(await Stores.Rollouts.ListDevicesAsync(id, CancellationToken.None)).DeviceId;
        await ReportAsync(canary, V2);
        var switched = await Eventually.HoldsAsync(
            async () => (await Stores.Rollouts.ListDevicesAsync(id, CancellationToken.None)).Single().SwitchedAt,
            at => at is not null, TimeSpan.FromSeconds(30), "the engine to see the canary switch");
        var end = switched!.Value.AddMilliseconds(100);
        await Stores.Telemetry.AddAsync([.. devices.Select(d => TestTelemetry.Window(d, d == canary ? V2 : V1, end, 250))], CancellationToken.None);
        await Eventually.HoldsAsync(
            async () => (await Stores.Rollouts.ListWavesAsync(id, CancellationToken.None)).Single(w => w.Index == 0).Decision,
            d => d?.StartsWith("inconclusive: 0 reviewed audited cases", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(30), "the wave to wait for verdicts");
        var before = await RunAsync("rollout", "status", id);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 10; i++)
        {
            await Stores.Cases.AddAsync(
                new CaseRecord($"audit-{i}", canary, "a", "1", now, now, "crack-detector", "v2", "partial", "audit", "pass", new Dictionary<string, double> { ["cracked"] = 0.01 }, false),
                CancellationToken.None);
            await Stores.Cases.RecordVerdictAsync($"audit-{i}", "ann", i < 6 ? CaseStore.Defect : CaseStore.Ok, now, CancellationToken.None);
        }

        var stopped = await _fleet.WaitForRolloutAsync(id, "rolled-back");

        Assert.Matches(@"audited error rate +- +baseline +- +limit +0\.1 +relative limit +- +inconclusive: 0 reviewed audited cases", Assert.Single(before.Output.Split('\n'), l => l.TrimStart().StartsWith("audited error rate", StringComparison.Ordinal)));
        Assert.StartsWith("wave 1: audited error rate 0.6 (6 of 10 audited decisions overturned", stopped.Reason, StringComparison.Ordinal);
        var text = await RunAsync("rollout", "status", id);
        var json = JsonNode.Parse((await RunAsync("rollout", "status", id, "--json")).Output)!;
        Assert.Matches(@"audited error rate +0\.6 +baseline +- +limit +0\.1 +relative limit +- +fail: ", Assert.Single(text.Output.Split('\n'), l => l.TrimStart().StartsWith("audited error rate", StringComparison.Ordinal)));
        Assert.Equal(0.1, json["gates"]!["maxAuditedErrorRate"]!.GetValue<double>());
        var gate = json["waves"]![0]!["gates"]!.AsArray().Single(g => g!["gate"]!.GetValue<string>() == "audited error rate")!;
        Assert.Equal(("fail", 0.6, 0.1), (gate["verdict"]!.GetValue<string>(), gate["value"]!.GetValue<double>(), gate["limit"]!.GetValue<double>()));
    }

    [Fact]
    public async Task Refuses_a_gate_the_mode_cannot_measure_with_one_line()
    {
        await LineOnV1Async(1);

        var result = await RunAsync("rollout", "start", "--model", V2, "--min-agreement", "0.9");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: --min-agreement needs --mode shadow (only a shadow model runs beside the current one) (InvalidArgument)", result.Error.Trim());
    }

    [Fact]
    public async Task A_shadow_started_from_the_cli_is_judged_by_agreement_only_unless_told_otherwise()
    {
        await LineOnV1Async(2);

        var result = await RunAsync("rollout", "start", "--model", V2, "--mode", "shadow", "--min-agreement", "0.9", "--json");

        Assert.Equal(0, result.ExitCode);
        var gates = JsonNode.Parse(result.Output)!["gates"]!;
        Assert.Equal((0.9, 0.0, 0.0, 0.0), (gates["minAgreement"]!.GetValue<double>(), gates["maxEscalationIncrease"]!.GetValue<double>(), gates["maxErrorIncrease"]!.GetValue<double>(), gates["maxP95LatencyIncrease"]!.GetValue<double>()));
    }

    [Theory]
    [InlineData("--probation", "zz")]
    [InlineData("--silence-timeout", "5x")]
    [InlineData("--bake", "")]
    public async Task Refuses_a_duration_it_cannot_read_with_one_line_and_no_stack_trace(string flag, string value)
    {
        var result = await RunAsync("rollout", "start", "--model", V2, flag, value);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"{flag}: ", result.Error.Trim(), StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    /// <summary>Devices <c>site=a</c> enrolled straight into the store, all on v1 after a rollout without gates.</summary>
    private async Task<IReadOnlyList<string>> LineOnV1Async(int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"a-{i:D2}").ToList();
        foreach (var id in ids)
        {
            await Stores.Devices.AddAsync(
                new DeviceRecord(id, "secret-hash", Tags.Parse("site=a"), DateTimeOffset.UtcNow, "host", "1.0", null, null, null, null, null, 0, null, null), CancellationToken.None);
        }

        var request = new StartRolloutRequest { Model = V1, Selector = "site=a", Mode = "canary" };
        request.Waves.Add("100%");
        var first = await _fleet.Admin.StartRolloutAsync(request);
        foreach (var id in ids)
        {
            await ReportAsync(id, V1);
        }

        await _fleet.WaitForRolloutAsync(first.RolloutId, "completed");
        return ids;
    }

    private async Task ReportAsync(string device, string model)
    {
        var desired = await Stores.DesiredStates.GetAsync(device, CancellationToken.None);
        await Stores.Devices.RecordReportAsync(new DeviceReport(device, desired!.Revision, model, "active", null, "cpu", null, DateTimeOffset.UtcNow), CancellationToken.None);
    }

    private Task<FleetCli.Result> RunAsync(params string[] arguments) => FleetCli.RunAsync([.. arguments, "--server", _fleet.GrpcAddress], _fleet.AdminToken);
}
