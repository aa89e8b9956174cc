using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Hosting;

/// <summary>Reports every problem of the server options at once, before anything listens or touches the data directory.</summary>
internal sealed class FleetServerOptionsValidator : IValidateOptions<FleetServerOptions>
{
    public ValidateOptionsResult Validate(string? name, FleetServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
