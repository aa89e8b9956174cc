using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Hosting;

/// <summary>Warns at start when the server listens beyond this machine without TLS: admin and device secrets would cross the network in clear text.</summary>
internal sealed partial class TransportSecurityWarning(IOptions<FleetServerOptions> options, ILogger<TransportSecurityWarning> logger) : IHostedService
{
    public static bool Applies(FleetServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.CertificatePath is null && !IPAddress.IsLoopback(IPAddress.Parse(options.Bind));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Applies(options.Value))
        {
            LogPlainText(logger, options.Value.Bind);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Serving on {Bind} without TLS: admin tokens, device secrets and models cross the network unencrypted. Give --cert and --cert-key, or bind to 127.0.0.1 behind a TLS proxy.")]
    private static partial void LogPlainText(ILogger logger, string bind);
}
