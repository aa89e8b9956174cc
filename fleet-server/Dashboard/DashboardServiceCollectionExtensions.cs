using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EdgeMl.Fleet.Dashboard;

internal static class DashboardServiceCollectionExtensions
{
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.Section)
            .Validate(o => o.ChangePollInterval >= TimeSpan.FromMilliseconds(10) && o.ChangePollInterval <= TimeSpan.FromMinutes(10),
                "Dashboard:ChangePollInterval must be between 10 ms and 10 minutes")
            .ValidateOnStart();
        services.TryAddSingleton<FleetChanges>();
        return services;
    }
}
