using EdgeMl.Contracts.Fleet;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace EdgeMl.Fleet.Tests.Rollouts;

/// <summary>
/// A line of devices on crack-detector:v1 (<c>site=a</c>, the rollout's selector, and two on <c>site=b</c>) whose simulated
/// agents follow their desired state and publish a telemetry window every 10 s of a fake clock, with the rollout engine
/// ticking after each window. Real agents publishing over MQTT can take the simulated agents' place.
/// </summary>
internal sealed class GateScenario : IDisposable
{
    public const string V1 = "crack-detector:v1";
    public const string V2 = "crack-detector:v2";
    public const string Selector = "site=a";

    private readonly FleetStores _stores;
    private readonly CancellationToken _cancellationToken;

    private GateScenario(FleetStores stores, CancellationToken cancellationToken)
    {
        _stores = stores;
        _cancellationToken = cancellationToken;
        Fleet = new FleetParts(stores, Clock);
    }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000));

    public FleetParts Fleet { get; }

    public IReadOnlyList<string> Line { get; private set; } = [];

    public IReadOnlyList<string> OtherLine { get; private set; } = [];

    /// <summary>Frames each device scores per window.</summary>
    public long FramesPerWindow { get; set; } = 100;

    /// <summary>Escalation every model gets on top of its own, as darker frames on the whole line give.</summary>
    public double Darker { get; set; }

    /// <summary>What each version does; the other line's devices run <see cref="OtherLineTraits"/> whatever their version.</summary>
    public Dictionary<string, ModelTraits> Traits { get; } = new(StringComparer.Ordinal) { [V1] = new(20, 0.05), [V2] = new(20, 0.05) };

    public ModelTraits? OtherLineTraits { get; set; }

    /// <summary>The line with <paramref name="devices"/> devices on <c>site=a</c>, all on v1 after a completed rollout without gates.</summary>
    public static async Task<GateScenario> CreateAsync(FleetStores stores, int devices, CancellationToken cancellationToken)
    {
        var scenario = new GateScenario(stores, cancellationToken);
        await scenario.SetUpAsync(devices);
        return scenario;
    }

    /// <summary>Starts a canary of v2 to the selector; the devices of its first wave apply it and the engine sees them switch.</summary>
    public Task<RolloutRecord> StartAsync(RolloutGates gates, params string[] waves) => StartModeAsync(gates, RolloutState.Canary, waves);

    public async Task<RolloutRecord> StartModeAsync(RolloutGates gates, string mode, params string[] waves)
    {
        var rollout = await Fleet.Engine.StartAsync(new RolloutEngine.StartRequest(V2, Selector, waves, TimeSpan.Zero, mode, gates), "admin", _cancellationToken);
        await SyncAsync();
        await TickAsync();
        return rollout;
    }

    /// <summary>Each device's agent applies its desired state and reports its model active (in shadow mode: the shadow loaded).</summary>
    public async Task SyncAsync()
    {
        foreach (var desired in await _stores.DesiredStates.ListAsync(_cancellationToken))
        {
            var device = await _stores.Devices.GetAsync(desired.DeviceId, _cancellationToken);
            if (device!.ReportedRevision < desired.Revision)
            {
                await _stores.Devices.RecordReportAsync(
                    new DeviceReport(desired.DeviceId, desired.Revision, desired.ShadowModel ?? desired.ActiveModel, "active", null, "cpu", null, Clock.GetUtcNow()), _cancellationToken);
            }
        }
    }

    /// <summary>Runs the line for <paramref name="windows"/> windows: each device publishes what its models did, then the engine ticks.</summary>
    public async Task RunAsync(int windows, IReadOnlyCollection<string>? silent = null)
    {
        for (var i = 0; i < windows; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(10));
            var records = new List<TelemetryRecord>();
            foreach (var desired in await _stores.DesiredStates.ListAsync(_cancellationToken))
            {
                if (silent?.Contains(desired.DeviceId) == true || desired.ActiveModel is not { } active)
                {
                    continue;
                }

                records.Add(Window(desired.DeviceId, active, ModelRole.Active));
                if (desired.ShadowModel is { } shadow)
                {
                    records.Add(TestTelemetry.Window(desired.DeviceId, shadow, Clock.GetUtcNow(), FramesPerWindow, role: ModelRole.Shadow, agreement: 0.97));
                }
            }

            await _stores.Telemetry.AddAsync(records, _cancellationToken);
            await TickAsync();
        }
    }

    public Task TickAsync() => Fleet.Engine.AdvanceAllAsync(_cancellationToken);

    /// <summary>
    /// <paramref name="cases"/> decisions of <paramref name="model"/> on <paramref name="device"/> sampled for audit (the model
    /// passed the part), captured now and reviewed through the case store: the first <paramref name="overturned"/> found cracked.
    /// </summary>
    public async Task AuditAsync(string device, string model, int cases, int overturned)
    {
        var (name, version) = ModelRegistry.ParseId(model);
        var at = Clock.GetUtcNow();
        for (var i = 0; i < cases; i++)
        {
            var id = $"{device}-{version}-{at.ToUnixTimeMilliseconds()}-{i}";
            await _stores.Cases.AddAsync(
                new CaseRecord(id, device, "a", "1", at, at, name, version, "partial", "audit", "pass", new Dictionary<string, double> { ["ok"] = 0.98, ["cracked"] = 0.02 }, false),
                _cancellationToken);
            await _stores.Cases.RecordVerdictAsync(id, "inspector", i < overturned ? CaseStore.Defect : CaseStore.Ok, at, _cancellationToken);
        }
    }

    public async Task<RolloutRecord> RolloutAsync(string id) => (await _stores.Rollouts.GetAsync(id, _cancellationToken))!;

    public async Task<RolloutWaveRecord> WaveAsync(string id, int index) => (await _stores.Rollouts.ListWavesAsync(id, _cancellationToken)).Single(w => w.Index == index);

    public async Task<WaveAssessment> AssessmentAsync(string id, int index) => WaveAssessment.FromJson((await WaveAsync(id, index)).GateValuesJson)!;

    public async Task<IReadOnlyList<string>> MembersAsync(string id, int wave) =>
        (await _stores.Rollouts.ListDevicesAsync(id, _cancellationToken)).Where(m => m.Wave == wave).Select(m => m.DeviceId).ToList();

    public void Dispose() => Fleet.Dispose();

    private TelemetryRecord Window(string device, string model, ModelRole role)
    {
        var traits = OtherLine.Contains(device) && OtherLineTraits is { } other ? other : Traits[model];
        return TestTelemetry.Window(device, model, Clock.GetUtcNow(), FramesPerWindow, traits.LatencyMs, traits.EscalationRate + Darker, traits.ErrorRate, role);
    }

    private async Task SetUpAsync(int devices)
    {
        foreach (var version in new[] { "v1", "v2" })
        {
            await _stores.Models.AddAsync(
                "crack-detector", version,
                sequence => Task.FromResult(new ModelRecord("crack-detector", version, sequence, "model-sha", "bundle-sha", 1024, Clock.GetUtcNow(), "admin", "{}")),
                _cancellationToken);
        }

        Line = await AddDevicesAsync("a", devices);
        OtherLine = await AddDevicesAsync("b", 2);
        var first = await Fleet.Engine.StartAsync(new RolloutEngine.StartRequest(V1, "", ["100%"], TimeSpan.Zero, RolloutState.Canary, new RolloutGates()), "admin", _cancellationToken);
        await SyncAsync();
        await TickAsync();
        if ((await RolloutAsync(first.Id)).State != RolloutState.Completed)
        {
            throw new InvalidOperationException("the scenario's line did not reach v1");
        }
    }

    private async Task<IReadOnlyList<string>> AddDevicesAsync(string site, int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{site}-{i:D2}").ToList();
        foreach (var id in ids)
        {
            await _stores.Devices.AddAsync(
                new DeviceRecord(id, "secret-hash", Tags.Parse($"site={site}"), Clock.GetUtcNow(), "host", "1.0", null, null, null, null, null, 0, null, null), _cancellationToken);
        }

        return ids;
    }
}
