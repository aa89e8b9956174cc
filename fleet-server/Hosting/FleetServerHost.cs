using System.Net;
using System.Security.Cryptography.X509Certificates;
using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Alerts;
using EdgeMl.Fleet.Dashboard;
using EdgeMl.Fleet.Devices;
using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Review;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Services;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace EdgeMl.Fleet.Hosting;

/// <summary>Wires the fleet server: Kestrel (gRPC port, HTTP port), storage, registry, sync, rollouts, the broker. Only wiring here.</summary>
internal static class FleetServerHost
{
    public static async Task<WebApplication> BuildAsync(FleetServerOptions options, TimeProvider? time = null, Action<IServiceCollection>? configure = null, CancellationToken cancellationToken = default)
    {
        // Checked here rather than by ValidateOnStart: the listeners, the database and the data directory below are
        // set up from these values before the host starts. Options bound from configuration (Sync) validate on start.
        var validation = new FleetServerOptionsValidator().Validate(Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(FleetServerOptions), validation.Failures);
        }

        time ??= TimeProvider.System;
        Directory.CreateDirectory(options.DataDirectory);
        var certificate = options.CertificatePath is null
            ? null
            : X509Certificate2.CreateFromPemFile(options.CertificatePath, options.CertificateKeyPath);
        var database = options.Postgres is null
            ? FleetDatabase.Sqlite(Path.Combine(options.DataDirectory, "fleet.db"))
            : FleetDatabase.Postgres(options.Postgres);
        var stores = await FleetStores.OpenAsync(database, time, cancellationToken);

        var endpoints = new ListeningEndpoints();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddEnvironmentVariables("EDGEML_");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var address = IPAddress.Parse(options.Bind);
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            // A device whose network died without closing its stream must show offline within a minute.
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
            ListenOptions? grpc = null;
            ListenOptions? http = null;
            kestrel.Listen(address, options.GrpcPort, listen =>
            {
                grpc = listen;
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
            kestrel.Listen(address, options.HttpPort, listen =>
            {
                http = listen;
                listen.Protocols = certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
            endpoints.Listening(grpc!, http!);
        });

        var services = builder.Services;
        services.AddSingleton(Options.Create(options));
        services.AddOptions<SyncOptions>().BindConfiguration(SyncOptions.Section)
            .Validate(s => s.StateLifetime > TimeSpan.Zero, "Sync:StateLifetime must be positive")
            .Validate(s => s.DownloadChunkBytes is >= 1024 and <= 3 * 1024 * 1024, "Sync:DownloadChunkBytes must be between 1 KiB and 3 MiB (devices take messages up to 4 MiB)")
            .ValidateOnStart();
        services.AddSingleton(time);
        services.AddSingleton(stores);
        services.AddSingleton(endpoints);
        var keys = FleetKeys.Load(options.DataDirectory);
        services.AddSingleton(keys);
        services.AddSingleton(keys.Signer);
        services.AddSingleton(FleetCredentials.LoadOrCreate(options.DataDirectory));
        services.AddSingleton(new ArtifactStore(options.DataDirectory));
        services.AddSingleton(new CaseImages(options.DataDirectory));
        services.AddSingleton<LoginSessions>();
        services.AddSingleton<LoginThrottle>();
        services.AddDashboard();
        services.AddSingleton<VerdictHub>();
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<BundleResigner>();
        services.AddSingleton<DesiredStateHub>();
        services.AddSingleton<DownloadStats>();
        services.AddSingleton<FleetMetrics>();
        // No response cache: ScrapeGuard refreshes the database figures for each scrape, which a cached answer would hide.
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(FleetMetrics.MeterName)
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        services.AddSingleton<DesiredStateSigner>();
        services.AddSingleton<Enrolment>();
        var revocations = new DeviceRevocations();
        services.AddSingleton(revocations);
        services.AddSingleton<DeviceAuthenticator>();
        services.AddSingleton<RolloutJudge>();
        services.AddSingleton<RolloutStatusReader>();
        services.AddSingleton(database);
        services.AddSingleton<DesiredStateNotices>();
        services.AddSingleton<RolloutLock>();
        services.AddSingleton<RolloutLeadership>();
        services.AddSingleton<RolloutEngine>();
        services.AddSingleton<RolloutCoordinator>();
        if (database.IsPostgres)
        {
            services.AddSingleton<DesiredStateListener>();
            services.AddHostedService(sp => sp.GetRequiredService<DesiredStateListener>());
        }

        services.AddHostedService<TransportSecurityWarning>();
        services.AddHostedService(sp => sp.GetRequiredService<RolloutCoordinator>());
        var mqttCredential = MqttServerCredential.LoadOrCreate(options.DataDirectory);
        services.AddSingleton(mqttCredential);
        var ingestionQueue = new IngestionQueue();
        services.AddSingleton(ingestionQueue);
        if (options.MqttBroker is null)
        {
            var broker = new EmbeddedBroker(Options.Create(options), certificate, stores, mqttCredential, ingestionQueue, revocations, time);
            endpoints.Broker = broker;
            services.AddSingleton(_ => broker);
            services.AddSingleton<IBrokerAccounts>(broker);
            services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        }
        else
        {
            services.AddSingleton<IBrokerAccounts>(sp => new DynamicSecurityAccounts(
                new Uri(options.MqttBroker), mqttCredential, stores, time, sp.GetRequiredService<ILogger<DynamicSecurityAccounts>>()));
        }

        services.AddAlerts();
        services.AddTelemetryIngestion(options, endpoints, certificate, mqttCredential);
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database").AddCheck<BrokerHealthCheck>("broker");
        services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<DomainErrorInterceptor>();
            grpc.MaxReceiveMessageSize = MessageLimits.DeviceRequestBytes;
        }).AddServiceOptions<AdminGrpcService>(admin => admin.MaxReceiveMessageSize = MessageLimits.AdminRequestBytes)
            .AddServiceOptions<CaseGrpcService>(cases => cases.MaxReceiveMessageSize = MessageLimits.CaseUploadBytes);

        configure?.Invoke(services);
        var app = builder.Build();
        // Not bound to a host name: devices may reach the server through proxies and load balancers.
        app.MapGrpcService<DeviceGrpcService>();
        app.MapGrpcService<AdminGrpcService>();
        app.MapGrpcService<CaseGrpcService>();
        app.MapFleetHttp();
        app.MapLogin();
        app.MapReview();
        app.MapDashboard();
        app.Lifetime.ApplicationStopped.Register(() => database.DisposeAsync().AsTask().GetAwaiter().GetResult());
        // Before any device is served: after a key rotation no bundle may still carry the revoked key's signature.
        await app.Services.GetRequiredService<BundleResigner>().ResignAsync(cancellationToken);
        return app;
    }
}
