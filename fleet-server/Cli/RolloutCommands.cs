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
        var bake = new Option<string>("--bake") { Description = "Time each wave runs healthy before the next (e.g. 30s, 5m)", DefaultValueFactory = _ => "5m" };
        var mode = new Option<string>("--mode") { Description = "canary, blue-green or shadow", DefaultValueFactory = _ => "canary" };
        var maxFailure = new Option<double>("--max-failure-rate") { Description = "Share of devices failing to verify, load or warm that stops and rolls back", DefaultValueFactory = _ => 0.10 };
        var maxError = new Option<double>("--max-error-rate") { Description = "Frame error rate gate (needs telemetry)" };
        var maxLatency = new Option<double>("--max-p95-latency-ms") { Description = "p95 latency gate (needs telemetry)" };
        var maxEscalation = new Option<double>("--max-escalation-increase") { Description = "Escalation-rate increase gate (needs telemetry)" };
        var minAgreement = new Option<double>("--min-agreement") { Description = "Shadow agreement gate (needs telemetry)" };
        var minSamples = new Option<long>("--min-samples") { Description = "Frames before telemetry gates judge", DefaultValueFactory = _ => 100 };
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
        var command = connection.With(new Command("start", "Start a rollout") { model, selector, waves, bake, mode, maxFailure, maxError, maxLatency, maxEscalation, minAgreement, minSamples, automation, bands });
        connection.SetAction(command, async (client, result, ct) =>
        {
            var request = new StartRolloutRequest
            {
                Model = result.GetRequiredValue(model),
                Selector = result.GetValue(selector) ?? "",
                BakeSeconds = (long)ParseDuration(result.GetRequiredValue(bake)).TotalSeconds,
                Mode = result.GetRequiredValue(mode),
                Gates = new GateThresholds
                {
                    MaxFailureRate = result.GetValue(maxFailure),
                    MaxErrorRate = result.GetValue(maxError),
                    MaxP95LatencyMs = result.GetValue(maxLatency),
                    MaxEscalationIncrease = result.GetValue(maxEscalation),
                    MinAgreement = result.GetValue(minAgreement),
                    MinSamples = result.GetValue(minSamples),
                },
            };
            request.Waves.Add(result.GetRequiredValue(waves).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            request.Automation = result.GetValue(automation) ?? "";
            if (result.GetValue(bands) is { } text)
            {
                request.Bands = ParseBands(text);
            }

            return await client.StartRolloutAsync(request, cancellationToken: ct);
        }, m => Describe((RolloutStatus)m));
        return command;
    }

    /// <summary>30s, 5m, 1h, or plain seconds.</summary>
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

    public static TimeSpan ParseDuration(string text)
    {
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
        text.AppendLine(CultureInfo.InvariantCulture, $"rollout {r.RolloutId}: {r.Mode} of {r.Model} (from {(r.PreviousModel.Length == 0 ? "-" : r.PreviousModel)}) to '{r.Selector}', {r.State}{(r.Reason.Length > 0 ? ": " + r.Reason : "")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  gates: max failure rate {r.Gates.MaxFailureRate:P1}; bake {r.BakeSeconds} s");
        if (r.Automation.Length > 0 || r.Bands is not null)
        {
            var bands = r.Bands is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b.Label}:{b.Lower}:{b.Upper}") : "the devices' own";
            text.AppendLine(CultureInfo.InvariantCulture, $"  decisions: automation {(r.Automation.Length > 0 ? r.Automation : "the devices' own")}; bands {bands}");
        }

        foreach (var w in r.Waves)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  wave {w.Index + 1} ({w.Size}): {w.Targeted} targeted, {w.Updated} updated, {w.Failed} failed ({w.FailureRate:P1}), {w.Pending} pending ({w.Offline} offline) -> {w.Decision}");
        }

        return text.ToString().TrimEnd();
    }
}
