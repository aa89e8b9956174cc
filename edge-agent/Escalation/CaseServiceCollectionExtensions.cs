using EdgeMl.Agent.Configuration;
using EdgeMl.Agent.Outcomes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace EdgeMl.Agent.Escalation;

public static class CaseServiceCollectionExtensions
{
    /// <summary>
    /// Cases: the sink that writes escalated and audited frames to the outbox (which <c>AddOutbox</c> registers), the
    /// uploader that takes them to the server, and the watcher that applies the inspectors' verdicts to held parts.
    /// </summary>
    /// <exception cref="ArgumentException">The <c>Cases</c> section holds a setting out of range; the message lists every problem.</exception>
    public static IServiceCollection AddCases(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(CaseOptions.Section).Get<CaseOptions>() ?? new CaseOptions();
        SettingsProblems.ThrowIfAny(options.Validate());
        services.AddOptions();
        services.TryAddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HeldCases>();
        services.TryAddSingleton<CaseCounters>();
        services.TryAddSingleton<CaseSignal>();
        services.TryAddSingleton<CaseQueueAlarm>();
        services.AddFrameOutcomeSink<CaseSink>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CaseUploader>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, VerdictWatcher>());
        return services;
    }
}
