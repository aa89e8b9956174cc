using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.LineIo;

public static class LineIoServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates the <c>LineIo</c> section; when it is enabled, drives the line's pins from the decisions
    /// of the <see cref="IScoreRequests"/> the caller registers. A registered <see cref="GpioController"/> (a simulated chip) wins.
    /// </summary>
    public static IServiceCollection AddLineIo(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(LineIoOptions.Section);
        services.AddOptions<LineIoOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LineIoOptions>, LineIoOptionsValidator>());
        if (!section.GetValue<bool>(nameof(LineIoOptions.Enabled)))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<LineIoOptions>>().Value.Chip is { } chip
            ? new GpioController(new LibGpiodDriver(chip))
            : new GpioController());
        services.TryAddSingleton(sp => new PartRouter(
            sp.GetRequiredService<GpioController>(),
            sp.GetRequiredService<IOptions<LineIoOptions>>().Value,
            sp.GetRequiredService<IScoreRequests>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PartRouter>>()));
        services.AddHostedService<LineIoService>();
        return services;
    }
}
