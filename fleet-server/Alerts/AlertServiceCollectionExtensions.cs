using EdgeMl.Fleet.Drift;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Alerts;

/// <summary>Adds alerts (their monitors, drift included, and their delivery to MQTT and the webhook) to the server.</summary>
internal static class AlertServiceCollectionExtensions
{
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section)
            .Validate(o => o.Webhook is null || (Uri.TryCreate(o.Webhook, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"), "Alerts:Webhook must be an http:// or https:// URL")
            .Validate(o => o.DeliveryAttempts >= 1, "Alerts:DeliveryAttempts must be at least 1")
            .Validate(o => o.RetryDelay > TimeSpan.Zero && o.Interval > TimeSpan.Zero && o.OfflineAfter > TimeSpan.Zero && o.Window > TimeSpan.Zero && o.EscalationBaseline > TimeSpan.Zero,
                "Alerts:RetryDelay, Interval, OfflineAfter, Window and EscalationBaseline must be positive")
            .Validate(o => o.MinFrames >= 1 && o.MaxP95LatencyMs > 0 && o.MaxEscalationIncrease is > 0 and < 1,
                "Alerts:MinFrames must be at least 1, MaxP95LatencyMs positive, MaxEscalationIncrease between 0 and 1")
            .ValidateOnStart();
        services.AddOptions<DriftOptions>().BindConfiguration(DriftOptions.Section)
            .Validate(o => o.Interval > TimeSpan.Zero && o.Window > TimeSpan.Zero, "Drift:Interval and Drift:Window must be positive")
            .Validate(o => o.WarningPsi > 0 && o.AlertPsi >= o.WarningPsi, "Drift:WarningPsi must be positive and Drift:AlertPsi at least as large")
            .Validate(o => o.BaselineWindows >= 0 && o.MinFrames >= 1 && o.SmallWindowFrames >= 0, "Drift:BaselineWindows and SmallWindowFrames must not be negative, MinFrames at least 1")
            .Validate(o => o.FalseDiscoveryRate is > 0 and < 1, "Drift:FalseDiscoveryRate must be between 0 and 1")
            .ValidateOnStart();

        services.AddHttpClient(nameof(WebhookAlertSink));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<AlertDelivery>(sp, Sinks(sp).ToList()));
        services.TryAddSingleton<AlertService>();
        services.TryAddSingleton<AlertMonitor>();
        services.TryAddSingleton<DriftReferences>();
        services.TryAddSingleton<DriftMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertDelivery>());
        services.AddHostedService(sp => sp.GetRequiredService<AlertMonitor>());
        services.AddHostedService(sp => sp.GetRequiredService<DriftMonitor>());
        return services;
    }

    // MQTT always (the embedded or the external broker); the webhook where one is configured.
    private static IEnumerable<IAlertSink> Sinks(IServiceProvider services)
    {
        yield return ActivatorUtilities.CreateInstance<MqttAlertSink>(services);
        if (services.GetRequiredService<IOptions<AlertOptions>>().Value.Webhook is { } webhook)
        {
            yield return new WebhookAlertSink(services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(WebhookAlertSink)), new Uri(webhook));
        }
    }
}
