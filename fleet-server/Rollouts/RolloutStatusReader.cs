using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Rollouts;

/// <summary>A rollout as admins see it (admin gRPC, <c>rollout status</c>, <c>/api/rollouts/{id}</c>): one reading for all of them.</summary>
internal sealed class RolloutStatusReader(FleetStores stores, RolloutJudge judge, DevicePresence presence)
{
    /// <summary>The rollout with its gates and, per wave, its devices counted and each gate's reading; null when there is no such rollout.</summary>
    public async Task<RolloutStatus?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (await stores.Rollouts.GetAsync(id, cancellationToken) is not { } rollout)
        {
            return null;
        }

        var gates = RolloutGates.FromJson(rollout.GatesJson);
        var members = await stores.Rollouts.ListDevicesAsync(id, cancellationToken);
        var progress = await RolloutProgress.LoadAsync(stores, presence, cancellationToken);
        var status = new RolloutStatus
        {
            RolloutId = rollout.Id,
            Model = rollout.Model,
            PreviousModel = rollout.PreviousModel ?? "",
            Selector = rollout.Selector,
            Mode = rollout.Mode,
            State = rollout.State,
            CurrentWave = rollout.CurrentWave,
            Reason = rollout.Reason ?? "",
            CreatedAtUnixMs = rollout.CreatedAt.ToUnixTimeMilliseconds(),
            BakeSeconds = rollout.BakeSeconds,
            Gates = new GateThresholds
            {
                MaxFailureRate = gates.MaxFailureRate,
                MaxErrorRate = gates.MaxErrorRate ?? 0,
                MaxErrorIncrease = gates.MaxErrorIncrease ?? 0,
                MaxP95LatencyMs = gates.MaxP95LatencyMs ?? 0,
                MaxP95LatencyIncrease = gates.MaxP95LatencyIncrease ?? 0,
                MaxEscalationRate = gates.MaxEscalationRate ?? 0,
                MaxEscalationIncrease = gates.MaxEscalationIncrease ?? 0,
                MaxAuditedErrorRate = gates.MaxAuditedErrorRate ?? 0,
                MinAgreement = gates.MinAgreement ?? 0,
                MinSamples = gates.MinSamples,
                ProbationFrames = gates.ProbationFrames,
                ProbationSeconds = gates.ProbationSeconds,
                SilenceTimeoutSeconds = gates.SilenceTimeoutSeconds,
            },
        };
        if (await stores.Rollouts.GetDecisionsAsync(id, cancellationToken) is { DecisionsJson: { } decisions })
        {
            (status.Automation, status.Bands) = RolloutDecisions.FromJson(decisions)!.ToProto();
        }

        var active = rollout.State is RolloutState.Running or RolloutState.Paused or RolloutState.WaitingSwitch;
        var reading = active ? await judge.JudgeAsync(rollout, members, progress, cancellationToken) : RolloutReading.None;
        foreach (var wave in await stores.Rollouts.ListWavesAsync(id, cancellationToken))
        {
            // A wave's own devices; blue/green's switch step covers all of them again. An active rollout's devices are
            // counted as they stand now; a finished one's as its engine last judged them, so a rollback does not recount them.
            var own = wave.Size == RolloutState.SwitchWave ? members : members.Where(m => m.Wave == wave.Index);
            var stored = WaveAssessment.FromJson(wave.GateValuesJson);
            var counts = !active && stored?.Counts is { } judged ? judged : progress.Count(rollout with { CurrentWave = wave.Index }, own, reading.Devices);
            var entry = new WaveStatus
            {
                Index = wave.Index,
                Size = wave.Size,
                Targeted = counts.Targeted,
                Updated = counts.Updated,
                Failed = counts.Failed,
                Pending = counts.Pending,
                Offline = counts.Offline,
                FailureRate = counts.FailureRate,
                Decision = wave.Decision ?? "",
                StartedAtUnixMs = wave.StartedAt?.ToUnixTimeMilliseconds() ?? 0,
                CompletedAtUnixMs = wave.CompletedAt?.ToUnixTimeMilliseconds() ?? 0,
                Probation = counts.Probation,
                Silent = counts.Silent,
                Samples = stored?.Samples ?? 0,
            };
            entry.Gates.AddRange((stored?.Gates ?? []).Select(ToGateValue));
            status.Waves.Add(entry);
        }

        return status;
    }

    private static GateValue ToGateValue(GateResult gate)
    {
        var value = new GateValue { Gate = gate.Gate, Verdict = gate.Verdict, Reason = gate.Reason };
        if (gate.Value is { } measured)
        {
            value.Value = measured;
        }

        if (gate.Baseline is { } baseline)
        {
            value.Baseline = baseline;
        }

        if (gate.Limit is { } limit)
        {
            value.Limit = limit;
        }

        if (gate.RelativeLimit is { } relative)
        {
            value.RelativeLimit = relative;
        }

        return value;
    }
}
