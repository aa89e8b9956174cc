using System.Security.Cryptography;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// Starts rollouts, moves them wave by wave, and stops or reverses them when a gate fails.
/// Every change goes through one lock and is stored before it is announced, so a restarted
/// server continues from the database.
/// </summary>
internal sealed partial class RolloutEngine(
    FleetStores stores,
    ModelRegistry registry,
    DesiredStateHub hub,
    TimeProvider time,
    ILogger<RolloutEngine> logger) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public sealed record StartRequest(string Model, string Selector, IReadOnlyList<string> Waves, TimeSpan Bake, string Mode, RolloutGates Gates);

    public async Task<RolloutRecord> StartAsync(StartRequest request, string actor, CancellationToken cancellationToken)
    {
        var model = await registry.GetAsync(request.Model, cancellationToken);
        var selector = TagSelector.Parse(request.Selector);
        var mode = request.Mode is "" ? RolloutState.Canary : request.Mode;
        if (mode is not (RolloutState.Canary or RolloutState.BlueGreen or RolloutState.Shadow))
        {
            throw new ArgumentException($"mode '{mode}' is not one of canary, blue-green, shadow");
        }

        var plan = mode == RolloutState.BlueGreen ? WavePlan.Parse(["100%"]) : WavePlan.Parse(request.Waves);
        if (request.Gates.MaxFailureRate is < 0 or > 1)
        {
            throw new ArgumentException("max failure rate must be between 0 and 1");
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            var devices = (await stores.Devices.ListAsync(cancellationToken)).Where(d => selector.Matches(d.Tags)).ToList();
            if (devices.Count == 0)
            {
                throw new ArgumentException($"no enrolled device matches selector '{selector.Text}'");
            }

            var active = await stores.Rollouts.ListActiveAsync(cancellationToken);
            if (active.FirstOrDefault(r => ModelRegistry.ParseId(r.Model).Name == model.Name) is { } running)
            {
                throw new InvalidOperationException($"rollout {running.Id} of {running.Model} is still {running.State}; finish, abort or roll it back first");
            }

            var desired = await stores.DesiredStates.ListAsync(cancellationToken);
            var ids = devices.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
            var previous = desired.Where(d => ids.Contains(d.DeviceId)).GroupBy(d => d.ActiveModel).OrderByDescending(g => g.Count()).FirstOrDefault()?.Key;
            var now = time.GetUtcNow();
            var waves = mode == RolloutState.BlueGreen ? "100%," + RolloutState.SwitchWave : plan.ToString();
            var rollout = new RolloutRecord(
                "r-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)), model.Id, previous, selector.Text, mode, waves,
                (long)request.Bake.TotalSeconds, request.Gates.ToJson(), RolloutState.Running, 0, now, null, now, actor, now);
            await stores.Rollouts.AddAsync(rollout, cancellationToken);
            await AuditAsync(actor, "rollout.start", rollout, $"{mode} of {model.Id} to '{selector.Text}' in waves {waves}, bake {request.Bake}", cancellationToken);
            await EnterWaveAsync(rollout, 0, cancellationToken);
            return rollout;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<RolloutRecord> ControlAsync(string id, string action, string actor, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var rollout = await stores.Rollouts.GetAsync(id, cancellationToken)
                ?? throw new KeyNotFoundException($"rollout {id} does not exist");
            var active = rollout.State is RolloutState.Running or RolloutState.Paused or RolloutState.WaitingSwitch;
            RolloutRecord updated;
            switch (action)
            {
                case "pause" when rollout.State == RolloutState.Running:
                    updated = await SaveAsync(rollout with { State = RolloutState.Paused }, cancellationToken);
                    break;
                case "resume" when rollout.State == RolloutState.Paused:
                    updated = await SaveAsync(rollout with { State = RolloutState.Running }, cancellationToken);
                    break;
                case "abort" when active:
                    updated = await SaveAsync(rollout with { State = RolloutState.Aborted, Reason = "aborted by " + actor }, cancellationToken);
                    break;
                case "rollback" when rollout.State != RolloutState.RolledBack:
                    updated = await RollBackAsync(rollout, "rolled back by " + actor, cancellationToken);
                    break;
                case "switch" when rollout.State == RolloutState.WaitingSwitch:
                    updated = await SaveAsync(rollout with { State = RolloutState.Running, CurrentWave = 1, WaveStartedAt = time.GetUtcNow() }, cancellationToken);
                    await EnterWaveAsync(updated, 1, cancellationToken);
                    break;
                default:
                    throw new InvalidOperationException($"rollout {id} is {rollout.State}; '{action}' does not apply (pause, resume, abort, rollback, switch)");
            }

            await AuditAsync(actor, "rollout." + action, updated, updated.State, cancellationToken);
            return updated;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>One step for every active rollout: gates, wave completion, bake, next wave.</summary>
    public async Task AdvanceAllAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var rollouts = (await stores.Rollouts.ListActiveAsync(cancellationToken)).Where(r => r.State == RolloutState.Running).ToList();
            if (rollouts.Count == 0)
            {
                return;
            }

            var progress = await RolloutProgress.LoadAsync(stores, hub, cancellationToken);
            foreach (var rollout in rollouts)
            {
                await AdvanceAsync(rollout, progress, cancellationToken);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task AdvanceAsync(RolloutRecord rollout, RolloutProgress progress, CancellationToken cancellationToken)
    {
        var members = await stores.Rollouts.ListDevicesAsync(rollout.Id, cancellationToken);
        var counts = progress.Count(rollout, members);
        var gates = RolloutGates.FromJson(rollout.GatesJson);
        var waves = await stores.Rollouts.ListWavesAsync(rollout.Id, cancellationToken);
        var wave = waves.First(w => w.Index == rollout.CurrentWave);
        if (counts.Failed >= 1 && counts.FailureRate > gates.MaxFailureRate)
        {
            var reason = $"wave {rollout.CurrentWave + 1}: {counts.Failed} of {counts.Targeted} devices failed ({counts.FailureRate:P1}), above the {gates.MaxFailureRate:P1} gate";
            await stores.Rollouts.UpsertWaveAsync(wave with { Decision = "rolled back", GateValuesJson = counts.ToJson() }, cancellationToken);
            var rolled = await RollBackAsync(rollout, reason, cancellationToken);
            await AuditAsync("gate", "rollout.rollback", rolled, reason, cancellationToken);
            return;
        }

        var complete = counts.Updated >= 1 && counts.Updated + counts.Offline == counts.Targeted;
        if (!complete)
        {
            await stores.Rollouts.UpsertWaveAsync(wave with { Decision = "in progress", GateValuesJson = counts.ToJson() }, cancellationToken);
            return;
        }

        var now = time.GetUtcNow();
        var completedAt = wave.CompletedAt ?? now;
        await stores.Rollouts.UpsertWaveAsync(wave with { CompletedAt = completedAt, Decision = "baking", GateValuesJson = counts.ToJson() }, cancellationToken);
        if (now - completedAt < TimeSpan.FromSeconds(rollout.BakeSeconds))
        {
            return;
        }

        var sizes = rollout.Waves.Split(',');
        if (rollout.Mode == RolloutState.BlueGreen && rollout.CurrentWave == 0)
        {
            await stores.Rollouts.UpsertWaveAsync(wave with { CompletedAt = completedAt, Decision = "ready: waiting for switch", GateValuesJson = counts.ToJson() }, cancellationToken);
            var waiting = await SaveAsync(rollout with { State = RolloutState.WaitingSwitch }, cancellationToken);
            await AuditAsync("engine", "rollout.ready", waiting, "every online device is warmed; waiting for 'rollout switch'", cancellationToken);
            return;
        }

        await stores.Rollouts.UpsertWaveAsync(wave with { CompletedAt = completedAt, Decision = "passed", GateValuesJson = counts.ToJson() }, cancellationToken);
        if (rollout.CurrentWave >= sizes.Length - 1)
        {
            var done = await SaveAsync(rollout with { State = RolloutState.Completed }, cancellationToken);
            await AuditAsync("engine", "rollout.complete", done, $"{counts.Updated} devices updated, {counts.Offline} offline", cancellationToken);
            return;
        }

        var next = await SaveAsync(rollout with { CurrentWave = rollout.CurrentWave + 1, WaveStartedAt = now }, cancellationToken);
        await AuditAsync("engine", "rollout.wave", next, $"wave {next.CurrentWave + 1} ({sizes[next.CurrentWave]}) starts", cancellationToken);
        await EnterWaveAsync(next, next.CurrentWave, cancellationToken);
    }

    /// <summary>Takes the wave's devices into the rollout and gives them their new desired state.</summary>
    private async Task EnterWaveAsync(RolloutRecord rollout, int wave, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sizes = rollout.Waves.Split(',');
        var members = await stores.Rollouts.ListDevicesAsync(rollout.Id, cancellationToken);
        List<RolloutDeviceRecord> joining;
        if (sizes[wave] == RolloutState.SwitchWave)
        {
            joining = [.. members];
        }
        else
        {
            var selector = TagSelector.Parse(rollout.Selector);
            var matching = (await stores.Devices.ListAsync(cancellationToken)).Where(d => selector.Matches(d.Tags)).Select(d => d.Id);
            var ordered = WavePlan.Order(rollout.Id, matching);
            var count = WavePlan.Parse(sizes.Where(s => s != RolloutState.SwitchWave)).CumulativeCount(wave, ordered.Count);
            var taken = members.Select(m => m.DeviceId).ToHashSet(StringComparer.Ordinal);
            var desired = (await stores.DesiredStates.ListAsync(cancellationToken)).ToDictionary(d => d.DeviceId, StringComparer.Ordinal);
            joining = ordered.Take(count).Where(id => !taken.Contains(id))
                .Select(id => new RolloutDeviceRecord(rollout.Id, id, wave, desired.GetValueOrDefault(id)?.ActiveModel, now))
                .ToList();
            await stores.Rollouts.AddDevicesAsync(joining, cancellationToken);
        }

        var changes = joining.Select(m => rollout.Mode switch
        {
            RolloutState.Shadow => new DesiredStateChange(m.DeviceId, m.PreviousModel, rollout.Model, rollout.Id, false, false),
            RolloutState.BlueGreen => new DesiredStateChange(m.DeviceId, rollout.Model, null, rollout.Id, false, sizes[wave] != RolloutState.SwitchWave),
            _ => new DesiredStateChange(m.DeviceId, rollout.Model, null, rollout.Id, false, false),
        }).ToList();
        await PublishAsync(changes, cancellationToken);
        await stores.Rollouts.UpsertWaveAsync(new RolloutWaveRecord(rollout.Id, wave, sizes[wave], now, null, "in progress", null), cancellationToken);
        LogWave(logger, rollout.Id, wave + 1, sizes[wave], changes.Count);
    }

    /// <summary>Returns every device of the rollout to the model it ran before, telling it this is a deliberate rollback.</summary>
    private async Task<RolloutRecord> RollBackAsync(RolloutRecord rollout, string reason, CancellationToken cancellationToken)
    {
        var members = await stores.Rollouts.ListDevicesAsync(rollout.Id, cancellationToken);
        var changes = members.Select(m => new DesiredStateChange(m.DeviceId, m.PreviousModel, null, rollout.Id, true, false)).ToList();
        await PublishAsync(changes, cancellationToken);
        LogRollback(logger, rollout.Id, reason);
        return await SaveAsync(rollout with { State = RolloutState.RolledBack, Reason = reason }, cancellationToken);
    }

    private async Task PublishAsync(IReadOnlyList<DesiredStateChange> changes, CancellationToken cancellationToken)
    {
        foreach (var state in await stores.DesiredStates.SetManyAsync(changes, time.GetUtcNow(), cancellationToken))
        {
            hub.Publish(state);
        }
    }

    private async Task<RolloutRecord> SaveAsync(RolloutRecord rollout, CancellationToken cancellationToken)
    {
        var updated = rollout with { UpdatedAt = time.GetUtcNow() };
        await stores.Rollouts.UpdateAsync(updated, cancellationToken);
        return updated;
    }

    private Task AuditAsync(string actor, string action, RolloutRecord rollout, string detail, CancellationToken cancellationToken) =>
        stores.Audit.AppendAsync(new AuditRecord(time.GetUtcNow(), actor, action, rollout.Id, detail), cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Rollout}: wave {Wave} ({Size}) sent to {Devices} devices")]
    private static partial void LogWave(ILogger logger, string rollout, int wave, string size, int devices);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rollout {Rollout} rolled back: {Reason}")]
    private static partial void LogRollback(ILogger logger, string rollout, string reason);

    public void Dispose() => _lock.Dispose();
}
