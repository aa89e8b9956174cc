using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Telemetry;

/// <summary>Checks the <c>Telemetry</c> section at start.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options) =>
        options.Interval < TimeSpan.FromSeconds(1) || options.Interval > TimeSpan.FromHours(1)
            ? ValidateOptionsResult.Fail($"Telemetry:Interval {options.Interval} must be between 00:00:01 and 01:00:00")
            : ValidateOptionsResult.Success;
}
