using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Outbox;

/// <summary>Reports every problem of the <c>Outbox</c> section at once, at start.</summary>
internal sealed class OutboxOptionsValidator : IValidateOptions<OutboxOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        var problems = new List<string>();
        if (options.MaxBytes < 64 * 1024)
        {
            problems.Add($"Outbox:MaxBytes {options.MaxBytes} is too small: give at least 65536 bytes");
        }

        if (options.MaxMessages < 16)
        {
            problems.Add($"Outbox:MaxMessages {options.MaxMessages} is too small: give at least 16");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
