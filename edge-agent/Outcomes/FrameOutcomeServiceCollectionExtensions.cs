using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace EdgeMl.Agent.Outcomes;

public static class FrameOutcomeServiceCollectionExtensions
{
    /// <summary>The dispatcher and the service that drives the sinks; registering a sink adds these too.</summary>
    public static IServiceCollection AddFrameOutcomes(this IServiceCollection services)
    {
        services.TryAddSingleton<FrameOutcomeDispatcher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, FrameOutcomeSinkHost>());
        return services;
    }

    /// <summary>Adds <typeparamref name="TSink"/> (one instance, also resolvable as itself) to the sinks every outcome goes to; adding it twice adds it once.</summary>
    public static IServiceCollection AddFrameOutcomeSink<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSink>(this IServiceCollection services)
        where TSink : class, IFrameOutcomeSink
    {
        services.AddFrameOutcomes();
        services.TryAddSingleton<TSink>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFrameOutcomeSink, TSink>(sp => sp.GetRequiredService<TSink>()));
        return services;
    }
}
