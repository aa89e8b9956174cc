using EdgeMl.Agent.Configuration;
using EdgeMl.Agent.Explanation;
using EdgeMl.Agent.Inference;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace EdgeMl.Agent.Http;

public static class ScoringHttpServiceCollectionExtensions
{
    /// <summary>
    /// Binds and checks <c>Agent:Http</c>; when a port is set, serves <c>POST /v1/score</c> on the host's
    /// <see cref="ModelHolder"/> with at most <paramref name="workers"/> frames scored at once.
    /// </summary>
    /// <exception cref="ArgumentException">The section is enabled without a usable token, address, port or size cap; the message lists every problem.</exception>
    public static IServiceCollection AddScoringHttp(this IServiceCollection services, IConfiguration configuration, int workers)
    {
        var options = configuration.GetSection(ScoringHttpOptions.Section).Get<ScoringHttpOptions>() ?? new ScoringHttpOptions();
        SettingsProblems.ThrowIfAny(options.Validate());

        if (!options.Enabled)
        {
            return services;
        }

        services.TryAddSingleton(options);
        services.TryAddSingleton(sp => new PushedFrameScorer(sp.GetRequiredService<ModelHolder>(), workers, sp.GetService<ExplanationQueue>()));
        services.TryAddSingleton<ScoreRequestHandler>();
        services.TryAddSingleton<ScoringEndpoint>();
        services.AddHostedService(sp => sp.GetRequiredService<ScoringEndpoint>());
        return services;
    }
}
