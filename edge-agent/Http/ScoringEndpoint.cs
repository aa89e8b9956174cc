using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Http;

/// <summary>The agent's <c>POST /v1/score</c> for line controllers and apps that push frames.</summary>
internal sealed partial class ScoringEndpoint(ScoringHttpOptions options, ScoreRequestHandler handler, ILogger<ScoringEndpoint> logger)
    : SmallHttpServer(options.Address, options.Port!.Value)
{
    protected override void ConfigureLimits(KestrelServerLimits limits) => limits.MaxRequestBodySize = options.MaxBodyBytes;

    protected override void Map(WebApplication app) => app.MapPost("/v1/score", handler.HandleAsync);

    protected override void Listening(int port) => LogListening(logger, options.Address, port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scoring endpoint: POST http://{Address}:{Port}/v1/score")]
    private static partial void LogListening(ILogger logger, string address, int port);
}
