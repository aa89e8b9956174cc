using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Http;

/// <summary>
/// A minimal Kestrel server inside the agent for <c>POST /v1/score</c>. Built from the empty builder (no
/// configuration files, no default middleware, no reflection-bound handlers) so that it stays small and trims.
/// </summary>
internal sealed partial class ScoringEndpoint(ScoringHttpOptions options, ScoreRequestHandler handler, ILogger<ScoringEndpoint> logger) : IHostedService, IAsyncDisposable
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
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            kestrel.Listen(IPAddress.Parse(options.Address), options.Port!.Value);
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.UseRouting();
        app.MapPost("/v1/score", handler.HandleAsync);
        await app.StartAsync(cancellationToken);
        _app = app;
        Port = new Uri(app.Urls.First()).Port;
        LogListening(logger, options.Address, Port);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Scoring endpoint: POST http://{Address}:{Port}/v1/score")]
    private static partial void LogListening(ILogger logger, string address, int port);
}
