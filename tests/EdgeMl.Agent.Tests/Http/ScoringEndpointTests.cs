using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using EdgeMl.Agent.Http;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeMl.Agent.Tests.Http;

public sealed class ScoringEndpointTests
{
    private const string Token = "line-controller-token-1";

    private static readonly string Sample = Path.Combine(Repo.Models, "samples", "00002_cracked.jpg");

    [Fact]
    public async Task Request_without_the_token_is_refused_with_401()
    {
        using var models = new ModelHolder(TimeProvider.System);
        await using var endpoint = await StartAsync(models);
        using var client = new HttpClient();

        using var none = await client.PostAsync(Url(endpoint), Image(await File.ReadAllBytesAsync(Sample)));
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(endpoint)) { Content = Image(await File.ReadAllBytesAsync(Sample)) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-token-of-some-length");
        using var wrong = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Sample_frame_gets_the_verdict_of_the_loaded_model_as_json()
    {
        using var models = new ModelHolder(LoadedModel.Load(ModelPackage.Load(Repo.Package("v2")), Cpu), TimeProvider.System);
        await using var endpoint = await StartAsync(models);

        using var response = await PostAsync(endpoint, await File.ReadAllBytesAsync(Sample));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var verdict = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("crack-detector:v2", verdict["model"]!.GetValue<string>());
        Assert.Contains(verdict["label"]!.GetValue<string>(), new[] { "ok", "cracked" });
        var probabilities = verdict["probabilities"]!.AsObject();
        Assert.Equal(1.0, probabilities["ok"]!.GetValue<double>() + probabilities["cracked"]!.GetValue<double>(), 3);
        Assert.Contains(verdict["decision"]!.GetValue<string>(), new[] { "auto", "escalate", "audit" });
        Assert.Equal("partial", verdict["automation"]!.GetValue<string>());
        Assert.True(verdict["latencyMs"]!.GetValue<double>() > 0);
    }

    [Fact]
    public async Task Corrupt_image_is_refused_with_422_and_a_one_line_reason()
    {
        using var models = new ModelHolder(LoadedModel.Load(ModelPackage.Load(Repo.Package("v2")), Cpu), TimeProvider.System);
        await using var endpoint = await StartAsync(models);

        using var response = await PostAsync(endpoint, "\xFF\xD8\xFF garbage, not a JPEG"u8.ToArray());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>();
        Assert.StartsWith("the image cannot be scored: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public async Task Body_over_the_cap_is_refused_with_413_with_or_without_a_length()
    {
        using var models = new ModelHolder(TimeProvider.System);
        await using var endpoint = await StartAsync(models, maxBodyBytes: 1024);
        var big = new byte[4096];

        using var sized = await PostAsync(endpoint, big);
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(endpoint)) { Content = new StreamContent(new MemoryStream(big)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        request.Headers.TransferEncodingChunked = true;
        using var chunked = await new HttpClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, sized.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
    }

    [Fact]
    public async Task Frame_pushed_before_any_model_is_loaded_gets_503()
    {
        using var models = new ModelHolder(TimeProvider.System);
        await using var endpoint = await StartAsync(models);

        using var response = await PostAsync(endpoint, await File.ReadAllBytesAsync(Sample));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("no model is loaded", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_that_is_not_jpeg_or_png_is_refused_with_415()
    {
        using var models = new ModelHolder(TimeProvider.System);
        await using var endpoint = await StartAsync(models);

        using var response = await PostAsync(endpoint, [1, 2, 3], "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    private static readonly InferenceOptions Cpu = new() { ExecutionProvider = ExecutionProviderKind.Cpu, WarmupRuns = 1 };

    private static async Task<ScoringEndpoint> StartAsync(ModelHolder models, long maxBodyBytes = 16 * 1024 * 1024)
    {
        var options = new ScoringHttpOptions { Port = 0, Token = Token, MaxBodyBytes = maxBodyBytes };
        var endpoint = new ScoringEndpoint(options, new ScoreRequestHandler(new PushedFrameScorer(models, 2, null), options, models), NullLogger<ScoringEndpoint>.Instance);
        await endpoint.StartAsync(CancellationToken.None);
        return endpoint;
    }

    private static Uri Url(ScoringEndpoint endpoint) => new($"http://127.0.0.1:{endpoint.Port}/v1/score");

    private static ByteArrayContent Image(byte[] body, string mediaType = "image/jpeg")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static async Task<HttpResponseMessage> PostAsync(ScoringEndpoint endpoint, byte[] body, string mediaType = "image/jpeg")
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(endpoint)) { Content = Image(body, mediaType) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return await client.SendAsync(request);
    }
}
