using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Inference;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Cli;

/// <summary>Builds options from (lowest first) environment variables <c>EDGEML_*</c> and command-line flags, and the loggers (to stderr, so stdout stays data).</summary>
internal static class AgentConfiguration
{
    // Each Bind names its options type: the trimmed publish binds through source-generated code, which a generic
    // Bind<T> cannot get (SYSLIB1104 fails the publish).
    public static InferenceOptions Inference(IDictionary<string, string?> flags)
    {
        var options = new InferenceOptions();
        Build(flags).GetSection(InferenceOptions.Section).Bind(options);
        return options;
    }

    public static DecisionOptions Decisions(IDictionary<string, string?> flags)
    {
        var options = new DecisionOptions();
        Build(flags).GetSection(DecisionOptions.Section).Bind(options);
        return options;
    }

    private static IConfiguration Build(IDictionary<string, string?> flags) =>
        new ConfigurationBuilder()
            .AddEnvironmentVariables("EDGEML_")
            .AddInMemoryCollection(flags.Where(f => f.Value is not null))
            .Build();

    public static ILoggerFactory Logging() => LoggerFactory.Create(builder => builder.AddSimpleConsoleDefaults());
}
