using EdgeMl.Agent.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace EdgeMl.Agent.Explanation;

public static class ExplanationServiceCollectionExtensions
{
    /// <summary>
    /// Binds and checks the <c>Explanation</c> section; when it is enabled, registers the <see cref="ExplanationQueue"/> the
    /// frame runner offers escalated and audited frames to, and the background service that turns them into heatmaps
    /// under <paramref name="dataDirectory"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The section holds a setting out of range; the message lists every problem.</exception>
    public static IServiceCollection AddExplanation(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        var options = configuration.GetSection(ExplanationOptions.Section).Get<ExplanationOptions>() ?? new ExplanationOptions();
        SettingsProblems.ThrowIfAny(options.Validate());

        if (!options.Enabled)
        {
            return services;
        }

        services.TryAddSingleton(options);
        services.TryAddSingleton(new ExplanationQueue(options.QueueCapacity));
        services.TryAddSingleton(new ExplanationStore(Path.Combine(dataDirectory, options.Directory)));
        services.TryAddSingleton<ExplanationService>();
        services.AddHostedService(sp => sp.GetRequiredService<ExplanationService>());
        return services;
    }
}
