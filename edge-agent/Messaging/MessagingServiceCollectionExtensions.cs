using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Publishes the outbox's telemetry and events to the MQTT broker (the one from enrolment, or <c>Mqtt:Broker</c>), keeps a retained
    /// status with a last will, and records device events; needs <c>AddOutbox</c> and the agent host's enrolment.
    /// </summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MqttOptions>()
            .Bind(configuration.GetSection(MqttOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>());
        services.TryAddSingleton<MqttConnectionFactory>();
        services.TryAddSingleton<MqttPublisher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DeviceEventRecorder>());
        services.AddHostedService(sp => sp.GetRequiredService<MqttPublisher>());
        return services;
    }
}
