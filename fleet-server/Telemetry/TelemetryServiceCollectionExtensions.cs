using System.Security.Cryptography.X509Certificates;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EdgeMl.Fleet.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Ingestion of the devices' MQTT messages into the telemetry store and device presence, from the embedded broker or
    /// <see cref="FleetServerOptions.MqttBroker"/>; registered after the embedded broker, so that it starts first.
    /// </summary>
    public static IServiceCollection AddTelemetryIngestion(
        this IServiceCollection services, FleetServerOptions options, ListeningEndpoints endpoints, X509Certificate2? certificate, MqttServerCredential credential)
    {
        services.TryAddSingleton(new IngestionBroker(options.MqttBroker is null ? null : new Uri(options.MqttBroker), endpoints, certificate, credential));
        services.TryAddSingleton<DeviceBrokerAddress>();
        services.TryAddSingleton<IngestionQueue>();
        services.TryAddSingleton<DevicePresence>();
        services.TryAddSingleton<IngestionWriter>();
        services.TryAddSingleton<TelemetryIngestion>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryIngestion>());
        return services;
    }
}
