using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Pipeline;
using Microsoft.AspNetCore.Http;

namespace EdgeMl.Agent.Http;

/// <summary>
/// <c>POST /v1/score</c>: a bearer token, a JPEG or PNG body within the size cap, and the verdict as JSON. Every refusal
/// is a status code with a one-line reason: 401 token, 415 media type, 413 size, 422 undecodable image, 503 no model.
/// </summary>
internal sealed class ScoreRequestHandler(PushedFrameScorer scorer, ScoringHttpOptions options, ModelHolder models)
{
    private readonly byte[] _token = Encoding.UTF8.GetBytes(options.Token ?? "");
    private long _requests;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!Authorised(request.Headers.Authorization.ToString()))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "missing or wrong bearer token (Authorization: Bearer <Agent:Http:Token>)");
            return;
        }

        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, "image/jpeg", StringComparison.OrdinalIgnoreCase) && !string.Equals(mediaType, "image/png", StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, $"Content-Type is '{request.ContentType}'; send the frame as image/jpeg or image/png");
            return;
        }

        if (request.ContentLength > options.MaxBodyBytes)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge());
            return;
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A chunked body carries no length up front; Kestrel stops it at the same cap while it is read.
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge());
            return;
        }

        var name = $"http-{Interlocked.Increment(ref _requests).ToString(CultureInfo.InvariantCulture)}";
        var (status, json) = await scorer.ScoreAsync(body, name, Reply, context.RequestAborted);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }

    private (int Status, byte[] Json) Reply(FrameSlot slot)
    {
        if (slot.Error == FramePipeline.NoModel)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "no model is loaded on this device yet; retry once the fleet has delivered one");
        }

        if (slot.Error is { } error)
        {
            return slot.Error.StartsWith(FramePipeline.ScoringFailed, StringComparison.Ordinal)
                ? Error(StatusCodes.Status500InternalServerError, error)
                : Error(StatusCodes.Status422UnprocessableEntity, $"the image cannot be scored: {error}");
        }

        // Labels by model id, as the line does: a swap between scoring and this lookup leaves no labels to name, so the caller retries.
        var labels = models.Current?.Active is { } active && active.Manifest.Id == slot.ModelId ? active.Labels : null;
        if (labels is null)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "the model changed while the frame was scored; retry");
        }

        var verdict = slot.Verdict;
        var probabilities = new Dictionary<string, float>(labels.Count, StringComparer.Ordinal);
        for (var i = 0; i < labels.Count; i++)
        {
            probabilities[labels[i]] = slot.Probabilities[i];
        }

        var response = new ScoreResponse(
            labels[verdict.Label],
            verdict.Confidence,
            probabilities,
            Lower(verdict.Decision),
            Lower(verdict.Band),
            verdict.Automation is { } level ? Lower(level) : null,
            slot.ModelId!,
            models.Time.GetElapsedTime(slot.StartTimestamp, slot.EndTimestamp).TotalMilliseconds);
        return (StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(response, ScoringJson.Default.ScoreResponse));
    }

    private bool Authorised(string header) =>
        header.StartsWith("Bearer ", StringComparison.Ordinal)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()), _token);

    private string TooLarge() => $"the image is larger than the {options.MaxBodyBytes}-byte limit (Agent:Http:MaxBodyBytes)";

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static (int, byte[]) Error(int status, string message) => (status, JsonSerializer.SerializeToUtf8Bytes(new ScoreError(message), ScoringJson.Default.ScoreError));

    private static async Task RefuseAsync(HttpContext context, int status, string message)
    {
        var (_, json) = Error(status, message);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }
}
