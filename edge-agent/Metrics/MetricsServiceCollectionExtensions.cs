using EdgeMl.Agent.Configuration;
using EdgeMl.Agent.Outcomes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EdgeMl.Agent.Metrics;

public static class MetricsServiceCollectionExtensions
{
    /// <summary>Binds and checks <c>Agent:Metrics</c>; when a port is set, counts outcomes and serves them on <c>GET /metrics</c>.</summary>
    /// <exception cref="ArgumentException">The section is enabled with an unusable port or address; the message lists every problem.</exception>
    public static IServiceCollection AddAgentMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        SettingsProblems.ThrowIfAny(options.Validate());
        if (!options.Enabled)
        {
            return services;
        }

        services.AddMetrics();
        services.TryAddSingleton(options);
        services.AddFrameOutcomeSink<AgentMetrics>();
        services.TryAddSingleton<MetricsEndpoint>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricsEndpoint>());
        return services;
    }
}
