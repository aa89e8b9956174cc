using System.Security.Cryptography;
using System.Text;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>
/// Starts rollouts, moves them wave by wave, and stops or reverses them when a gate fails.
/// Every change goes through one lock that all replicas share and is stored before it is announced, so a restarted
/// server, or the replica that takes over, continues from the database.
/// </summary>
internal sealed partial class RolloutEngine(
    FleetStores stores,
    ModelRegistry registry,
    DesiredStateHub hub,
    DevicePresence presence,
    RolloutJudge judge,
    DesiredStateNotices notices,
    RolloutLock rolloutLock,
    TimeProvider time,
    IOptions<SyncOptions> sync,
    ILogger<RolloutEngine> logger)
{
    // A tally is read in full at least this often: it catches what the reads of changes cannot see (a report committed
    // later than the slack allows, a device revoked, a desired state changed outside a rollout).
    private static readonly TimeSpan FullReadEvery = TimeSpan.FromMinutes(1);

    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    // Kept between steps, used and changed under the rollout lock only.
    private readonly Dictionary<string, RolloutTally> _tallies = new(StringComparer.Ordinal);
    private (long Count, long LastUpdate) _talliedVersion;
    private DateTimeOffset? _reportsReadAt;
    private DateTimeOffset _talliesReadAt;

    public sealed record StartRequest(string Model, string Selector, IReadOnlyList<string> Waves, TimeSpan Bake, string Mode, RolloutGates Gates, RolloutDecisions? Decisions = null, bool SkipOldAgents = false);

    public async Task<RolloutRecord> StartAsync(StartRequest request, string actor, CancellationToken cancellationToken)
    {
        var model = await registry.GetAsync(request.Model, cancellationToken);
        if (request.Decisions?.Problems(ModelPackage.ParseManifest(model.Id, Encoding.UTF8.GetBytes(model.ManifestJson))) is { Count: > 0 } problems)
        {
            throw new ArgumentException($"the rollout's decision settings do not fit {model.Id}: {string.Join("; ", problems)}");
        }

        var selector = TagSelector.Parse(request.Selector);
        var mode = request.Mode is "" ? RolloutState.Canary : request.Mode;
        if (mode is not (RolloutState.Canary or RolloutState.BlueGreen or RolloutState.Shadow))
        {
            throw new ArgumentException($"mode '{mode}' is not one of canary, blue-green, shadow");
        }

        var plan = mode == RolloutState.BlueGreen ? WavePlan.Parse(["100%"]) : WavePlan.Parse(request.Waves);
        request.Gates.Validate(mode);

        await using (await rolloutLock.EnterAsync(cancellationToken))
        {
            var devices = (await stores.Devices.ListAsync(cancellationToken)).Where(d => selector.Matches(d.Tags)).Select(d => d.Id).ToList();
            if (devices.Count == 0)
            {
                throw new ArgumentException($"no enrolled device matches selector '{selector.Text}'");
            }

            var unfit = AgentFit.Unfit(model, devices, await stores.Devices.ManifestFieldsAsync(cancellationToken));
            if (unfit is not null && (!request.SkipOldAgents || unfit.Devices.Count == devices.Count))
            {
                throw new InvalidOperationException(unfit.Refusal(devices.Count, request.SkipOldAgents));
            }

            var fit = unfit is null ? devices : [.. devices.Except(unfit.Devices, StringComparer.Ordinal)];

            var active = await stores.Rollouts.ListActiveAsync(cancellationToken);
            if (active.FirstOrDefault(r => ModelRegistry.ParseId(r.Model).Name == model.Name) is { } running)
            {
                throw new InvalidOperationException($"rollout {running.Id} of {running.Model} is still {running.State}; finish, abort or roll it back first");
            }

            var previous = await stores.DesiredStates.MostCommonModelAsync(fit, cancellationToken);
            var now = time.GetUtcNow();
            var waves = mode == RolloutState.BlueGreen ? "100%," + RolloutState.SwitchWave : plan.ToString();
            var rollout = new RolloutRecord(
                "r-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)), model.Id, previous, selector.Text, mode, waves,
                (long)request.Bake.TotalSeconds, request.Gates.ToJson(), RolloutState.Running, 0, now, null, now, actor, now);
            var step = await PlanWaveAsync(rollout, fit, cancellationToken) with
            {
                Starts = true,
                Decisions = request.Decisions,
                LeftOut = unfit,
                Audit = new AuditRecord(now, actor, "rollout.start", rollout.Id, $"{mode} of {model.Id} to '{selector.Text}' in waves {waves}, bake {request.Bake}" + LeftOutText(unfit)),
            };
            var (started, sent) = await CommitAsync(step, cancellationToken);
            LogWave(logger, started.Id, 1, step.Waves[0].Size, sent);
            return started;
        }
    }

    public async Task<RolloutRecord> ControlAsync(string id, string action, string actor, CancellationToken cancellationToken)
    {
        await using (await rolloutLock.EnterAsync(cancellationToken))
        {
            var rollout = await stores.Rollouts.GetAsync(id, cancellationToken)
                ?? throw new KeyNotFoundException($"rollout {id} does not exist");
            var active = rollout.State is RolloutState.Running or RolloutState.Paused or RolloutState.WaitingSwitch;
            var step = action switch
            {
                "pause" when rollout.State == RolloutState.Running => new RolloutStep(rollout with { State = RolloutState.Paused }),
                "resume" when rollout.State == RolloutState.Paused => new RolloutStep(rollout with { State = RolloutState.Running }),
                "abort" when active => new RolloutStep(rollout with { State = RolloutState.Aborted, Reason = "aborted by " + actor }),
                "rollback" when rollout.State != RolloutState.RolledBack => await PlanRollbackAsync(rollout, "rolled back by " + actor, cancellationToken),
                "switch" when rollout.State == RolloutState.WaitingSwitch =>
                    await PlanWaveAsync(rollout with { State = RolloutState.Running, CurrentWave = 1, WaveStartedAt = time.GetUtcNow() }, cancellationToken),
                _ => throw new InvalidOperationException($"rollout {id} is {rollout.State}; '{action}' does not apply (pause, resume, abort, rollback, switch)"),
            };
            var detail = step.Rollout.State + (step.Rollout.Reason is { } reason && step.Rollout.Reason != rollout.Reason ? ": " + reason : "");
            var (updated, sent) = await CommitAsync(step with { Audit = new AuditRecord(time.GetUtcNow(), actor, "rollout." + action, id, detail) }, cancellationToken);
            if (action == "rollback")
            {
                LogRollback(logger, id, updated.Reason ?? "");
            }
            else if (action == "switch")
            {
                LogWave(logger, id, 2, RolloutState.SwitchWave, sent);
            }

            return updated;
        }
    }

    /// <summary>One step for every active rollout: gates, wave completion, bake, next wave.</summary>
    public async Task AdvanceAllAsync(CancellationToken cancellationToken)
    {
        await using (await rolloutLock.EnterAsync(cancellationToken))
        {
            var rollouts = (await stores.Rollouts.ListActiveAsync(cancellationToken)).Where(r => r.State == RolloutState.Running).ToList();
            if (rollouts.Count == 0)
            {
                _tallies.Clear();
                return;
            }

            await ReadReportsAsync(cancellationToken);
            foreach (var rollout in rollouts)
            {
                // Each rollout on its own: one that cannot be evaluated must not stop the gates of the others.
                try
                {
                    if (!_tallies.TryGetValue(rollout.Id, out var tally))
                    {
                        tally = await RolloutTally.LoadAsync(rollout, stores, presence, cancellationToken);
                        _tallies[rollout.Id] = tally;
                    }

                    await AdvanceAsync(rollout, tally, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogAdvanceFailed(logger, rollout.Id, e);
                }
            }
        }
    }

    /// <summary>
    /// Keeps the tallies: dropped after any rollout changed (on any replica) and once a minute, to be read in full again;
    /// else moved by the reports stored since the last step and the devices whose MQTT status changed since (every
    /// replica reads every device's status, so this holds for devices connected to other replicas too).
    /// </summary>
    private async Task ReadReportsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var version = await stores.MemberReports.RolloutsVersionAsync(cancellationToken);
        if (version != _talliedVersion || now - _talliesReadAt > FullReadEvery)
        {
            _tallies.Clear();
            _talliedVersion = version;
            _talliesReadAt = now;
        }

        if (_tallies.Count > 0 && _reportsReadAt is { } since)
        {
            foreach (var report in await stores.MemberReports.ListReportedSinceAsync(since - RolloutTally.Slack, cancellationToken))
            {
                foreach (var tally in _tallies.Values)
                {
                    tally.Apply(report);
                }
            }
        }

        _reportsReadAt = now;
        // Taken before a tally is read in full, which reads every device's presence: a change after that comes in next step.
        var changed = new HashSet<string>(StringComparer.Ordinal);
        var complete = presence.TakeChanges(changed);
        foreach (var tally in _tallies.Values)
        {
            tally.Presence(complete ? changed : null);
        }
    }

    private async Task AdvanceAsync(RolloutRecord rollout, RolloutTally tally, CancellationToken cancellationToken)
    {
        var judged = time.GetUtcNow();
        var reading = await tally.RefreshAsync(stores, judge, judged, cancellationToken);
        if (reading.Switched.Count > 0)
        {
            await stores.Rollouts.MarkSwitchedAsync(rollout.Id, reading.Switched, judged, cancellationToken);
        }

        var counts = tally.Count(null);
        var gates = RolloutGates.FromJson(rollout.GatesJson);
        var waves = await stores.Rollouts.ListWavesAsync(rollout.Id, cancellationToken);
        var wave = waves.FirstOrDefault(w => w.Index == rollout.CurrentWave)
            ?? throw new InvalidOperationException(
                $"rollout {rollout.Id} is on wave {rollout.CurrentWave + 1} but has no record of that wave; abort it or roll it back (fleet-server rollout rollback {rollout.Id})");
        var assessed = new WaveAssessment(tally.Count(wave.Size == RolloutState.SwitchWave ? null : wave.Index), reading.Samples, reading.Gates).ToJson();
        var failure = reading.Failed is { } gate
            ? $"wave {rollout.CurrentWave + 1}: {gate.Reason}"
            : counts.Failed >= 1 && counts.FailureRate > gates.MaxFailureRate
                ? $"wave {rollout.CurrentWave + 1}: {counts.Failed} of {counts.Targeted} devices failed ({counts.FailureRate:P1}), above the {gates.MaxFailureRate:P1} gate" +
                  (counts.Silent > 0 ? $"; {counts.Silent} of them silent for more than {gates.SilenceTimeoutSeconds} s" : "")
                : null;
        if (failure is not null)
        {
            var rollback = await PlanRollbackAsync(rollout, failure, cancellationToken);
            var (rolled, _) = await CommitAsync(
                rollback with
                {
                    Waves = [wave with { Decision = "rolled back", GateValuesJson = assessed }],
                    Audit = new AuditRecord(time.GetUtcNow(), "gate", "rollout.rollback", rollout.Id, rollback.Rollout.Reason!),
                },
                cancellationToken);
            LogRollback(logger, rolled.Id, rolled.Reason!);
            return;
        }

        // A failed device is done too: within the gate it must not hold its wave open forever. So is an
        // offline one, which gets its state when it comes back; but only once devices had time to reconnect
        // after this server started, or a restart would pass every wave of devices not yet back. One on
        // probation is not done yet.
        var offlineDone = time.GetUtcNow() - _startedAt >= sync.Value.ReconnectGrace ? counts.Offline : 0;
        var complete = counts.Updated >= 1 && counts.Updated + counts.Failed + offlineDone == counts.Targeted;
        var waiting = !complete
            ? counts.Probation > 0 ? $"probation: {counts.Probation} of {counts.Targeted} devices" : "in progress"
            : reading.Inconclusive is { } unsure
                ? "inconclusive: " + unsure.Reason
                : reading.LineWide is { } line
                    ? "held: " + line.Reason
                    : null;
        if (waiting is not null)
        {
            await stores.Rollouts.UpsertWaveAsync(wave with { Decision = waiting, GateValuesJson = assessed }, cancellationToken);
            return;
        }

        var now = time.GetUtcNow();
        var completedAt = wave.CompletedAt ?? now;
        await stores.Rollouts.UpsertWaveAsync(wave with { CompletedAt = completedAt, Decision = "baking", GateValuesJson = assessed }, cancellationToken);
        if (now - completedAt < TimeSpan.FromSeconds(rollout.BakeSeconds))
        {
            return;
        }

        var sizes = rollout.Waves.Split(',');
        if (rollout.Mode == RolloutState.BlueGreen && rollout.CurrentWave == 0)
        {
            await CommitAsync(
                new RolloutStep(rollout with { State = RolloutState.WaitingSwitch })
                {
                    Waves = [wave with { CompletedAt = completedAt, Decision = "ready: waiting for switch", GateValuesJson = assessed }],
                    Audit = new AuditRecord(now, "engine", "rollout.ready", rollout.Id, "every online device is warmed; waiting for 'rollout switch'"),
                },
                cancellationToken);
            return;
        }

        var passed = wave with { CompletedAt = completedAt, Decision = "passed", GateValuesJson = assessed };
        if (rollout.CurrentWave >= sizes.Length - 1)
        {
            var detail = $"{counts.Updated} devices updated, {counts.Failed} failed, {counts.Offline} offline";
            await CommitAsync(
                new RolloutStep(rollout with { State = RolloutState.Completed })
                {
                    Waves = [passed],
                    Audit = new AuditRecord(now, "engine", "rollout.complete", rollout.Id, detail),
                },
                cancellationToken);
            return;
        }

        var step = await PlanWaveAsync(rollout with { CurrentWave = rollout.CurrentWave + 1, WaveStartedAt = now }, cancellationToken);
        var (next, sent) = await CommitAsync(
            step with
            {
                Waves = [passed, .. step.Waves],
                Audit = new AuditRecord(
                    now, "engine", "rollout.wave", rollout.Id, $"wave {rollout.CurrentWave + 2} ({sizes[rollout.CurrentWave + 1]}) starts" + LeftOutText(step.LeftOut)),
            },
            cancellationToken);
        LogWave(logger, next.Id, next.CurrentWave + 1, sizes[next.CurrentWave], sent);
    }

    /// <summary>The step that takes the devices of <paramref name="rollout"/>'s current wave in and gives them their new desired state.</summary>
    private Task<RolloutStep> PlanWaveAsync(RolloutRecord rollout, CancellationToken cancellationToken) =>
        PlanWaveAsync(rollout, null, cancellationToken);

    // matching: the ids of the devices the selector matches when the caller has just read and checked them (a start), so that a step reads the fleet once.
    private async Task<RolloutStep> PlanWaveAsync(RolloutRecord rollout, IReadOnlyList<string>? matching, CancellationToken cancellationToken)
    {
        var wave = rollout.CurrentWave;
        var sizes = rollout.Waves.Split(',');
        var step = new RolloutStep(rollout) { Waves = [new RolloutWaveRecord(rollout.Id, wave, sizes[wave], time.GetUtcNow(), null, "in progress", null)] };
        if (sizes[wave] == RolloutState.SwitchWave)
        {
            // Blue/green's switch releases every device already in.
            var members = await stores.Rollouts.ListDevicesAsync(rollout.Id, cancellationToken);
            return step with { Moving = [.. members.Select(m => m.DeviceId)] };
        }

        AgentFit? unfit = null;
        if (matching is null)
        {
            // A device enrolled since the start, or whose agent changed, may not read the manifest: it stays where it is.
            // One already in the rollout stays in it, so it is not counted as left out.
            var selector = TagSelector.Parse(rollout.Selector);
            var devices = (await stores.Devices.ListAsync(cancellationToken)).Where(d => selector.Matches(d.Tags)).Select(d => d.Id).ToList();
            var members = (await stores.Rollouts.ListDevicesAsync(rollout.Id, cancellationToken)).Select(m => m.DeviceId).ToHashSet(StringComparer.Ordinal);
            unfit = AgentFit.Unfit(
                await registry.GetAsync(rollout.Model, cancellationToken), devices.Where(d => !members.Contains(d)), await stores.Devices.ManifestFieldsAsync(cancellationToken));
            matching = [.. devices.Except(unfit?.Devices ?? [], StringComparer.Ordinal)];
        }

        var ordered = WavePlan.Order(rollout.Id, matching);
        var count = WavePlan.Parse(sizes.Where(s => s != RolloutState.SwitchWave)).CumulativeCount(wave, ordered.Count);
        // Those of them already in the rollout (earlier waves) are skipped by the database when the step is stored.
        return step with { Offered = [.. ordered.Take(count)], LeftOut = unfit };
    }

    /// <summary>
    /// The step that returns every device of the rollout to the model it ran before, telling it this is a deliberate
    /// rollback; a device that ran none returns to no model, where every frame goes to a human, and the reason says so.
    /// </summary>
    private async Task<RolloutStep> PlanRollbackAsync(RolloutRecord rollout, string reason, CancellationToken cancellationToken)
    {
        var members = await stores.Rollouts.ListDevicesAsync(rollout.Id, cancellationToken);
        var toNoModel = members.Count(m => m.PreviousModel is null);
        var said = toNoModel == 0 ? reason : $"{reason}; {toNoModel} of {members.Count} devices returned to no model (every frame to a human)";
        return new RolloutStep(rollout with { State = RolloutState.RolledBack, Reason = said })
        {
            States = [.. members.Select(m => new DesiredStateChange(m.DeviceId, m.PreviousModel, null, rollout.Id, true, false))],
        };
    }

    /// <summary>
    /// Stores the step in one transaction with the notice to the other replicas, then announces the new desired states
    /// to devices connected here. Returns the rollout as stored and how many devices got a new desired state.
    /// </summary>
    private async Task<(RolloutRecord Rollout, int Sent)> CommitAsync(RolloutStep step, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rollout = step.Rollout with { UpdatedAt = now };
        // The step changes members or desired states: every tally is read again at the next step.
        _tallies.Clear();
        var states = await stores.Database.InTransactionAsync(
            async (_, transaction) =>
            {
                if (step.Starts)
                {
                    await RolloutStore.AddAsync(transaction, rollout, cancellationToken);
                    if (step.Decisions is { } decisions)
                    {
                        // In the same transaction: the first wave's desired states are signed with them.
                        await RolloutStore.SetDecisionsAsync(transaction, rollout.Id, decisions.ToJson(), cancellationToken);
                    }
                }
                else
                {
                    await RolloutStore.UpdateAsync(transaction, rollout, cancellationToken);
                }

                var joined = await stores.Rollouts.JoinAsync(transaction, rollout.Id, rollout.CurrentWave, step.Offered, now, cancellationToken);
                foreach (var wave in step.Waves)
                {
                    await RolloutStore.UpsertWaveAsync(transaction, wave, cancellationToken);
                }

                if (step.Audit is { } audit)
                {
                    await stores.Audit.AppendAsync(transaction, audit, cancellationToken);
                }

                var changed = await DesiredStateStore.SetManyAsync(transaction, step.States, now, cancellationToken);
                var moving = step.Moving.Count == 0 ? joined.Select(m => m.DeviceId).ToList() : [.. step.Moving, .. joined.Select(m => m.DeviceId)];
                // Blue/green holds its devices on the old model until the switch wave.
                var hold = rollout.Mode == RolloutState.BlueGreen && rollout.Waves.Split(',')[rollout.CurrentWave] != RolloutState.SwitchWave;
                var moved = await stores.DesiredStates.SetForMembersAsync(
                    transaction, rollout.Id, rollout.Model, rollout.Mode == RolloutState.Shadow, hold, moving, now, cancellationToken);
                changed = changed.Count == 0 ? moved : [.. changed, .. moved];
                await notices.SendAsync(transaction, changed, cancellationToken);
                return changed;
            },
            cancellationToken);
        await hub.PublishAsync(states, cancellationToken);
        return (rollout, states.Count);
    }

    private static string LeftOutText(AgentFit? left) => left is null ? "" : $"; {left.Devices.Count} left out: {left}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Rollout}: wave {Wave} ({Size}) sent to {Devices} devices")]
    private static partial void LogWave(ILogger logger, string rollout, int wave, string size, int devices);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rollout {Rollout} rolled back: {Reason}")]
    private static partial void LogRollback(ILogger logger, string rollout, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rollout {Rollout} could not be evaluated; the other rollouts go on, this one is retried on the next tick")]
    private static partial void LogAdvanceFailed(ILogger logger, string rollout, Exception exception);
}
