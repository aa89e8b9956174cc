using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Outbox;

public static class OutboxServiceCollectionExtensions
{
    /// <summary>The durable outbox, bound from the <c>Outbox</c> section and validated at start; by default <c>outbox.db</c> in <paramref name="dataDirectory"/>.</summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        services.AddOptions<OutboxOptions>()
            .Bind(configuration.GetSection(OutboxOptions.Section))
            .PostConfigure(o =>
            {
                if (string.IsNullOrWhiteSpace(o.Path))
                {
                    o.Path = Path.Combine(dataDirectory, "outbox.db");
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboxOptions>, OutboxOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OutboxStore>();
        return services;
    }
}
