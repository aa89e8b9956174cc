using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeMl.Agent.Http;

/// <summary>
/// A minimal Kestrel server inside the agent, built from the empty builder (no configuration files, no default
/// middleware, no reflection-bound handlers) so that it stays small and trims. Each endpoint (scoring, metrics) is its
/// own small app, so that either can be on without the other.
/// </summary>
internal abstract class SmallHttpServer(string address, int port) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The port the endpoint listens on once started (the OS's choice when the configured port is 0).</summary>
    public int Port { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            ConfigureLimits(kestrel.Limits);
            kestrel.Listen(IPAddress.Parse(address), port);
        });
        builder.Services.AddRoutingCore();
        ConfigureServices(builder.Services);
        var app = builder.Build();
        app.UseRouting();
        Map(app);
        await app.StartAsync(cancellationToken);
        _app = app;
        Port = new Uri(app.Urls.First()).Port;
        Listening(Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    protected virtual void ConfigureLimits(KestrelServerLimits limits)
    {
    }

    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    protected abstract void Map(WebApplication app);

    /// <summary>Logs where it listens, once started.</summary>
    protected abstract void Listening(int port);
}
