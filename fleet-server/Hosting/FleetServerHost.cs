using System.Net;
using System.Security.Cryptography.X509Certificates;
using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Devices;
using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Services;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Hosting;

/// <summary>Wires the fleet server: Kestrel (gRPC port, HTTP port), storage, registry, sync, rollouts, the broker. Only wiring here.</summary>
internal static class FleetServerHost
{
    public static async Task<WebApplication> BuildAsync(FleetServerOptions options, TimeProvider? time = null, Action<IServiceCollection>? configure = null, CancellationToken cancellationToken = default)
    {
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems));
        }

        Directory.CreateDirectory(options.DataDirectory);
        var certificate = options.CertificatePath is null
            ? null
            : X509Certificate2.CreateFromPemFile(options.CertificatePath, options.CertificateKeyPath);
        var database = options.Postgres is null
            ? FleetDatabase.Sqlite(Path.Combine(options.DataDirectory, "fleet.db"))
            : FleetDatabase.Postgres(options.Postgres);
        var stores = await FleetStores.OpenAsync(database, cancellationToken);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddEnvironmentVariables("EDGEML_");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var address = IPAddress.Parse(options.Bind);
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Limits.MaxRequestBodySize = ModelRegistry.MaxModelBytes + (16 * 1024 * 1024);
            // A device whose network died without closing its stream must show offline within a minute.
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
            kestrel.Listen(address, options.GrpcPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
            kestrel.Listen(address, options.HttpPort, listen =>
            {
                listen.Protocols = certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });

        var services = builder.Services;
        services.AddSingleton(Options.Create(options));
        services.AddOptions<SyncOptions>().BindConfiguration(SyncOptions.Section);
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton(stores);
        var keys = FleetKeys.Load(options.DataDirectory);
        services.AddSingleton(keys);
        services.AddSingleton(keys.Signer);
        services.AddSingleton(AdminToken.LoadOrCreate(options.DataDirectory));
        services.AddSingleton(new ArtifactStore(options.DataDirectory));
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<BundleResigner>();
        services.AddSingleton<DesiredStateHub>();
        services.AddSingleton<DownloadStats>();
        services.AddSingleton<DesiredStateSigner>();
        services.AddSingleton<Enrolment>();
        services.AddSingleton<DeviceAuthenticator>();
        services.AddSingleton<RolloutEngine>();
        services.AddSingleton<RolloutCoordinator>();
        services.AddHostedService(sp => sp.GetRequiredService<RolloutCoordinator>());
        if (options.MqttBroker is null)
        {
            services.AddHostedService(sp => new EmbeddedBroker(sp.GetRequiredService<IOptions<FleetServerOptions>>(), certificate));
        }

        services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<DomainErrorInterceptor>();
            grpc.MaxReceiveMessageSize = (int)ModelRegistry.MaxModelBytes + (16 * 1024 * 1024);
        });

        configure?.Invoke(services);
        var app = builder.Build();
        // Not bound to a host name: devices may reach the server through proxies and load balancers.
        app.MapGrpcService<DeviceGrpcService>();
        app.MapGrpcService<AdminGrpcService>();
        app.MapFleetHttp();
        app.Lifetime.ApplicationStopped.Register(() => database.DisposeAsync().AsTask().GetAwaiter().GetResult());
        // Before any device is served: after a key rotation no bundle may still carry the revoked key's signature.
        await app.Services.GetRequiredService<BundleResigner>().ResignAsync(cancellationToken);
        return app;
    }
}
