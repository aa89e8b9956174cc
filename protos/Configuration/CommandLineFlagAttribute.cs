namespace EdgeMl.Contracts.Configuration;

/// <summary>
/// Names the command-line flag that sets an options property, for the configuration reference
/// (docs/configuration.md), which is generated from the options classes; a test checks that the flag exists.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class CommandLineFlagAttribute(string flag) : Attribute
{
    /// <summary>The flag, e.g. <c>--server</c>.</summary>
    public string Flag { get; } = flag;

    /// <summary>The one command that takes the flag; null when every command that reads the option does.</summary>
    public string? Command { get; init; }
}
