using System.CommandLine;
using System.Globalization;
using System.Text;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>rollout start|status|pause|resume|abort|rollback|switch|history</c>.</summary>
internal static class RolloutCommands
{
    public static Command Create()
    {
        var rollout = new Command("rollout", "Roll model versions out in waves");
        rollout.Subcommands.Add(Start());
        var statusConnection = new AdminConnection();
        var statusId = new Argument<string>("id");
        var status = statusConnection.With(new Command("status", "Waves, devices and gate values of a rollout") { statusId });
        statusConnection.SetAction(status, async (client, result, ct) =>
            await client.GetRolloutAsync(new GetRolloutRequest { RolloutId = result.GetRequiredValue(statusId) }, cancellationToken: ct), m => Describe((RolloutStatus)m));
        rollout.Subcommands.Add(status);
        foreach (var action in new[] { "pause", "resume", "abort", "rollback", "switch" })
        {
            var connection = new AdminConnection();
            var id = new Argument<string>("id");
            var command = connection.With(new Command(action, $"{char.ToUpperInvariant(action[0])}{action[1..]} a rollout") { id });
            connection.SetAction(command, async (client, result, ct) =>
                await client.ControlRolloutAsync(new ControlRolloutRequest { RolloutId = result.GetRequiredValue(id), Action = action }, cancellationToken: ct), m => Describe((RolloutStatus)m));
            rollout.Subcommands.Add(command);
        }

        var historyConnection = new AdminConnection();
        var limit = new Option<int>("--limit") { DefaultValueFactory = _ => 50 };
        var history = historyConnection.With(new Command("history", "The audit log: who did what, when") { limit });
        historyConnection.SetAction(history, async (client, result, ct) =>
            await client.ListAuditAsync(new ListAuditRequest { Limit = result.GetValue(limit) }, cancellationToken: ct),
            m => string.Join(Environment.NewLine, ((AuditLog)m).Entries.Select(e =>
                $"{DateTimeOffset.FromUnixTimeMilliseconds(e.AtUnixMs):u}  {e.Actor,-16} {e.Action,-18} {e.Subject,-14} {e.Detail}")));
        rollout.Subcommands.Add(history);
        return rollout;
    }

    private static Command Start()
    {
        var connection = new AdminConnection();
        var model = new Option<string>("--model") { Description = "name:version, e.g. crack-detector:v2", Required = true };
        var selector = new Option<string?>("--selector") { Description = "Devices with these tags, e.g. site=a,line=3 (default: all)" };
        var waves = new Option<string>("--waves") { Description = "Wave sizes, e.g. 1,10%,50%,100%", DefaultValueFactory = _ => "1,10%,50%,100%" };
        var bake = Duration("--bake", "Time each wave runs healthy before the next (e.g. 30s, 5m)", TimeSpan.FromMinutes(5));
        var mode = new Option<string>("--mode") { Description = "canary, blue-green or shadow", DefaultValueFactory = _ => "canary" };
        var maxFailure = new Option<double>("--max-failure-rate") { Description = "Share of devices failing to verify, load or warm, unhealthy or silent, that stops and rolls back", DefaultValueFactory = _ => 0.10 };
        var maxError = new Option<double>("--max-error-rate") { Description = "Most frames ending in error on the new version, e.g. 0.01 (off by default)" };
        var errorIncrease = new Option<double>("--max-error-increase") { Description = "Most the error rate may exceed the baseline cohort's, in points: 0.01 lets 2 % become 3 % (0: off)", DefaultValueFactory = _ => 0.01 };
        var maxLatency = new Option<double>("--max-p95-latency-ms") { Description = "Most p95 end-to-end latency on the new version, in ms" };
        var latencyIncrease = new Option<double>("--max-p95-latency-increase") { Description = "Most the p95 latency may exceed the baseline cohort's, as a ratio: 0.5 lets 10 ms become 15 ms (0: off)", DefaultValueFactory = _ => 0.5 };
        var maxEscalation = new Option<double>("--max-escalation-rate") { Description = "Most frames escalated to a person on the new version, e.g. 0.15" };
        var escalationIncrease = new Option<double>("--max-escalation-increase") { Description = "Most the escalation rate may exceed the baseline cohort's, in points: 0.05 lets 4 % become 9 % (0: off)", DefaultValueFactory = _ => 0.05 };
        var maxAudited = new Option<double>("--max-audited-error-rate")
        {
            Description = "Most share of the new version's audited decisions that inspectors overturn, e.g. 0.02; fails when the 95 % interval is above it, "
                + "waits as inconclusive until 1 / limit audited cases are reviewed (off by default)",
        };
        var minAgreement = new Option<double>("--min-agreement") { Description = "Shadow mode: least share of frames where the new model's top label matches the current one's" };
        var minSamples = new Option<long>("--min-samples") { Description = "Frames (and baseline frames, for the *-increase limits) before a gate judges; below it the wave waits as inconclusive", DefaultValueFactory = _ => 100 };
        var probationFrames = new Option<long>("--probation-frames") { Description = "Frames a device scores on the new version, with healthy figures, before it counts as updated (0: off)", DefaultValueFactory = _ => 200 };
        var probation = Duration("--probation", "Or time on the new version with healthy figures, e.g. 10m, whichever comes first (0: off)", TimeSpan.Zero);
        var silence = Duration("--silence-timeout", "A device that sends no telemetry this long after its switch counts as failed (0: off)", TimeSpan.FromMinutes(10));
        var automation = new Option<string?>("--automation") { Description = "Automation level on these devices for this model: human, shadow, assist, partial or full (default: each device's own)" };
        automation.AcceptOnlyFromAmong("human", "shadow", "assist", "partial", "full");
        var bands = new Option<string?>("--bands") { Description = "Decision bands for this model, label:lower:upper, e.g. cracked:0.05:0.95 (default: the device's or the manifest's)" };
        bands.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && ParseBands(text) is null)
            {
                r.AddError($"--bands '{text}' is not label:lower:upper with 0 <= lower < upper <= 1, e.g. cracked:0.05:0.95");
            }
        });
        var skipOldAgents = new Option<bool>("--skip-old-agents")
        {
            Description = "Leave out the devices whose agents do not read every manifest field the package sets (they stay on what they run, named in the audit log) instead of refusing; 'device list --cannot-read MODEL' lists them",
        };
        var command = connection.With(new Command("start", "Start a rollout. Baseline cohort: the selector's devices still on the previous version, over the same window; a change that hits old and new alike passes the *-increase limits, and an absolute limit the baseline breaches too holds the wave instead of failing it")
        {
            model, selector, waves, bake, mode, maxFailure, maxError, errorIncrease, maxLatency, latencyIncrease, maxEscalation, escalationIncrease, maxAudited, minAgreement, minSamples,
            probationFrames, probation, silence, automation, bands, skipOldAgents,
        });
        connection.SetAction(command, async (client, result, ct) =>
        {
            var request = new StartRolloutRequest
            {
                Model = result.GetRequiredValue(model),
                Selector = result.GetValue(selector) ?? "",
                BakeSeconds = (long)result.GetValue(bake).TotalSeconds,
                Mode = result.GetRequiredValue(mode),
                Gates = new GateThresholds
                {
                    MaxFailureRate = result.GetValue(maxFailure),
                    MaxErrorRate = result.GetValue(maxError),
                    MaxErrorIncrease = Decisive(result, errorIncrease),
                    MaxP95LatencyMs = result.GetValue(maxLatency),
                    MaxP95LatencyIncrease = Decisive(result, latencyIncrease),
                    MaxEscalationRate = result.GetValue(maxEscalation),
                    MaxEscalationIncrease = Decisive(result, escalationIncrease),
                    MaxAuditedErrorRate = result.GetValue(maxAudited),
                    MinAgreement = result.GetValue(minAgreement),
                    MinSamples = result.GetValue(minSamples),
                    ProbationFrames = result.GetValue(probationFrames),
                    ProbationSeconds = (long)result.GetValue(probation).TotalSeconds,
                    SilenceTimeoutSeconds = (long)result.GetValue(silence).TotalSeconds,
                },
            };
            request.Waves.Add(result.GetRequiredValue(waves).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            request.Automation = result.GetValue(automation) ?? "";
            request.SkipOldAgents = result.GetValue(skipOldAgents);
            if (result.GetValue(bands) is { } text)
            {
                request.Bands = ParseBands(text);
            }

            return await client.StartRolloutAsync(request, cancellationToken: ct);
        }, m => Describe((RolloutStatus)m));
        return command;
    }

    /// <summary><c>label:lower:upper</c>; the label may itself hold colons. Null when it is not that.</summary>
    private static DecisionBands? ParseBands(string text)
    {
        var parts = text.Split(':');
        return parts.Length >= 3
            && double.TryParse(parts[^2], NumberStyles.Float, CultureInfo.InvariantCulture, out var lower)
            && double.TryParse(parts[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var upper)
            && string.Join(':', parts[..^2]) is { Length: > 0 } label
            && lower is >= 0 and <= 1 && upper is >= 0 and <= 1 && lower < upper
            ? new DecisionBands { Label = label, Lower = lower, Upper = upper }
            : null;
    }

    // The relative limits' defaults judge a model that decides; a shadow decides nothing, so there they count only when given.
    private static double Decisive(ParseResult result, Option<double> limit) =>
        result.GetValue<string>("--mode") == "shadow" && result.GetResult(limit) is null or { Implicit: true } ? 0 : result.GetValue(limit);

    // A duration that does not parse is a usage error: System.CommandLine prints the one line and exits non-zero.
    private static Option<TimeSpan> Duration(string name, string description, TimeSpan fallback) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = argument =>
        {
            try
            {
                return ParseDuration(argument.Tokens.Single().Value);
            }
            catch (ArgumentException e)
            {
                argument.AddError($"{name}: {e.Message}");
                return fallback;
            }
        },
    };

    /// <summary>30s, 5m, 1h, or plain seconds.</summary>
    private static TimeSpan ParseDuration(string text)
    {
        if (text.Length == 0)
        {
            throw new ArgumentException("an empty value is not a duration such as 30s, 5m or 1h");
        }

        var unit = text[^1];
        var number = char.IsDigit(unit) ? text : text[..^1];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new ArgumentException($"'{text}' is not a duration such as 30s, 5m or 1h");
        }

        return unit switch
        {
            'h' => TimeSpan.FromHours(value),
            'm' => TimeSpan.FromMinutes(value),
            's' => TimeSpan.FromSeconds(value),
            _ when char.IsDigit(unit) => TimeSpan.FromSeconds(value),
            _ => throw new ArgumentException($"'{text}' is not a duration such as 30s, 5m or 1h"),
        };
    }

    private static string Describe(RolloutStatus r)
    {
        var text = new StringBuilder();
        var g = r.Gates;
        text.AppendLine(CultureInfo.InvariantCulture, $"rollout {r.RolloutId}: {r.Mode} of {r.Model} (from {(r.PreviousModel.Length == 0 ? "-" : r.PreviousModel)}) to '{r.Selector}', {r.State}{(r.Reason.Length > 0 ? ": " + r.Reason : "")}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"  gates: max failure rate {g.MaxFailureRate:P1}; min samples {g.MinSamples}; probation {(g.ProbationFrames > 0 ? $"{g.ProbationFrames} frames" : "-")}{(g.ProbationSeconds > 0 ? $" or {g.ProbationSeconds} s" : "")}; silence timeout {(g.SilenceTimeoutSeconds > 0 ? $"{g.SilenceTimeoutSeconds} s" : "-")}; bake {r.BakeSeconds} s");
        if (r.Automation.Length > 0 || r.Bands is not null)
        {
            var bands = r.Bands is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b.Label}:{b.Lower}:{b.Upper}") : "the devices' own";
            text.AppendLine(CultureInfo.InvariantCulture, $"  decisions: automation {(r.Automation.Length > 0 ? r.Automation : "the devices' own")}; bands {bands}");
        }

        foreach (var w in r.Waves)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  wave {w.Index + 1} ({w.Size}): {w.Targeted} targeted, {w.Updated} updated, {w.Failed} failed ({w.FailureRate:P1}), {w.Pending} pending ({w.Offline} offline), {w.Probation} on probation, {w.Silent} silent -> {w.Decision}");
            foreach (var gate in w.Gates)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"    {gate.Gate,-16} {Figure(gate.HasValue, gate.Value),9}  baseline {Figure(gate.HasBaseline, gate.Baseline),9}  limit {Figure(gate.HasLimit, gate.Limit),9}  relative limit {Figure(gate.HasRelativeLimit, gate.RelativeLimit),9}  {gate.Verdict}: {gate.Reason}");
            }
        }

        return text.ToString().TrimEnd();
    }

    private static string Figure(bool known, double value) => known ? value.ToString("0.####", CultureInfo.InvariantCulture) : "-";
}
