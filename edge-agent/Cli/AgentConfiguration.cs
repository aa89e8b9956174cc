using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Inference;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Cli;

/// <summary>Builds options from (lowest first) environment variables <c>EDGEML_*</c> and command-line flags, and the loggers (to stderr, so stdout stays data).</summary>
internal static class AgentConfiguration
{
    public static InferenceOptions Inference(IDictionary<string, string?> flags) => Bind<InferenceOptions>(flags, InferenceOptions.Section);

    public static DecisionOptions Decisions(IDictionary<string, string?> flags) => Bind<DecisionOptions>(flags, DecisionOptions.Section);

    private static T Bind<T>(IDictionary<string, string?> flags, string section)
        where T : new()
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables("EDGEML_")
            .AddInMemoryCollection(flags.Where(f => f.Value is not null))
            .Build();
        var options = new T();
        configuration.GetSection(section).Bind(options);
        return options;
    }

    public static ILoggerFactory Logging() => LoggerFactory.Create(builder => builder.AddSimpleConsoleDefaults());
}
