using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.LineIo;

/// <summary>Checks the whole <c>LineIo</c> section at start and reports every problem at once.</summary>
internal sealed class LineIoOptionsValidator : IValidateOptions<LineIoOptions>
{
    public ValidateOptionsResult Validate(string? name, LineIoOptions options)
    {
        var problems = Problems(options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static IEnumerable<string> Problems(LineIoOptions o)
    {
        if (!o.Enabled)
        {
            yield break;
        }

        var pins = new List<(string Name, int? Pin, bool Required)>
        {
            ("TriggerPin", o.TriggerPin, true),
            ("RejectPin", o.RejectPin, true),
            ("HoldPin", o.HoldPin, o.FailSafe == FailSafeRoute.Hold),
            ("ReleasePin", o.ReleasePin, o.FailSafe == FailSafeRoute.Hold),
            ("ScrapPin", o.ScrapPin, o.FailSafe == FailSafeRoute.Hold),
            ("LampPin", o.LampPin, false),
        };
        foreach (var (name, pin, required) in pins)
        {
            if (pin is null && required)
            {
                yield return $"LineIo:{name} is required{(name is "HoldPin" or "ReleasePin" or "ScrapPin" ? " while LineIo:FailSafe is Hold" : "")}";
            }
            else if (pin < 0)
            {
                yield return $"LineIo:{name} {pin} must be a GPIO line number, 0 or more";
            }
        }

        foreach (var shared in pins.Where(p => p.Pin is not null).GroupBy(p => p.Pin).Where(g => g.Count() > 1))
        {
            yield return $"GPIO {shared.Key} is given to {string.Join(" and ", shared.Select(p => "LineIo:" + p.Name))}; each needs its own pin";
        }

        if (o.Chip < 0)
        {
            yield return $"LineIo:Chip {o.Chip} must be a gpiochip number, 0 or more";
        }

        if (!Enum.IsDefined(o.TriggerEdge))
        {
            yield return "LineIo:TriggerEdge must be Rising or Falling";
        }

        if (!Enum.IsDefined(o.FailSafe))
        {
            yield return "LineIo:FailSafe must be Hold or Reject";
        }

        if (string.IsNullOrWhiteSpace(o.PassLabel))
        {
            yield return "LineIo:PassLabel must name the model label that passes a part, e.g. ok";
        }

        if (o.Debounce < TimeSpan.Zero || o.Debounce > TimeSpan.FromSeconds(1))
        {
            yield return $"LineIo:Debounce {o.Debounce} must be between 0 and 1 s";
        }

        if (o.VerdictDeadline <= TimeSpan.Zero)
        {
            yield return $"LineIo:VerdictDeadline {o.VerdictDeadline} must be more than 0";
        }

        if (o.GatePulse <= TimeSpan.Zero)
        {
            yield return $"LineIo:GatePulse {o.GatePulse} must be more than 0";
        }
    }
}
