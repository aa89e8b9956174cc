using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Cli;

/// <summary>One logging set-up for every command: single-line console to stderr, levels from EDGEML_LOGGING__*.</summary>
internal static class LoggingDefaults
{
    public static ILoggingBuilder AddSimpleConsoleDefaults(this ILoggingBuilder builder) => builder
        .AddConfiguration(new ConfigurationBuilder().AddEnvironmentVariables("EDGEML_").Build().GetSection("Logging"))
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
}
