using EdgeMl.Agent.Outcomes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The telemetry aggregator as an outcome sink, spooled to the outbox every <c>Telemetry:Interval</c>; needs <c>AddOutbox</c>.</summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>()
            .Bind(configuration.GetSection(TelemetryOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());
        services.AddFrameOutcomeSink<TelemetryAggregator>();
        services.TryAddSingleton(sp => new NvmlGpuMemory(NvmlGpuMemory.Library, sp.GetRequiredService<ILogger<NvmlGpuMemory>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TelemetrySpooler>());
        return services;
    }
}
