using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeMl.Fleet.Review;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Review;

/// <summary>The review station over real HTTP: who gets in where, verdicts, the case API and the accuracy figures.</summary>
public sealed class ReviewStationTests : IAsyncLifetime
{
    private const string Password = "correct horse battery";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-review-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;

    public async Task InitializeAsync()
    {
        _fleet = await TestFleet.StartAsync(_root);
        var stores = _fleet.Services.GetRequiredService<FleetStores>();
        await stores.Inspectors.AddAsync("ann", AccountPasswords.Hash(Password), DateTimeOffset.UtcNow, CancellationToken.None);
        await stores.Inspectors.AddAsync("bob", AccountPasswords.Hash(Password), DateTimeOffset.UtcNow, CancellationToken.None);
        using var channel = GrpcChannel.ForAddress(_fleet.GrpcAddress);
        var (client, credentials, _) = await TestCases.EnrolAsync(_fleet, channel, ("site", "a"), ("line", "1"));
        await client.UploadCaseAsync(TestCases.Upload("c-2", 2_000), credentials);
        await client.UploadCaseAsync(TestCases.Upload("c-1", 1_000, decision: CaseDecision.Audit, call: ModelCall.Pass), credentials);
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task An_inspector_session_opens_the_review_pages_and_case_api_but_no_admin_route()
    {
        using var ann = await LogInAsync("ann", Password);

        using var page = await ann.GetAsync("/review");
        using var cases = await ann.GetAsync("/api/cases");
        using var image = await ann.GetAsync("/review/cases/c-1/image");
        using var devices = await ann.GetAsync("/api/devices");
        using var rollouts = await ann.GetAsync("/api/rollouts");
        using var metrics = await ann.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-case=\"c-1\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, cases.StatusCode);
        Assert.Equal(TestCases.Jpeg, await image.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/jpeg", image.Content.Headers.ContentType?.MediaType);
        Assert.All([devices, rollouts], r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
    }

    [Fact]
    public async Task The_login_sets_an_http_only_strict_cookie_and_refuses_a_wrong_password()
    {
        using var client = Client();
        using var wrong = await client.PostAsync("/login", Form(("name", "ann"), ("password", "wrong password!")));
        using var right = await client.PostAsync("/login", Form(("name", "ann"), ("password", Password)));
        using var anonymousPage = await Client().GetAsync("/review");
        using var anonymousApi = await Client().GetAsync("/api/cases");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        var cookie = Assert.Single(right.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal((HttpStatusCode.Redirect, "/login"), (anonymousPage.StatusCode, anonymousPage.Headers.Location?.OriginalString));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousApi.StatusCode);
    }

    [Fact]
    public async Task Unsure_passes_the_case_to_a_second_inspector_whose_verdict_closes_it()
    {
        using var ann = await LogInAsync("ann", Password);
        using var bob = await LogInAsync("bob", Password);

        using var unsure = await ann.PostAsync("/review/cases/c-1/verdict", Form(("verdict", "unsure")));
        var annNext = await ann.GetStringAsync("/review");
        var bobNext = await bob.GetStringAsync("/review");
        using var decided = await bob.PostAsync("/review/cases/c-1/verdict", Form(("verdict", "defect")));
        using var late = await ann.PostAsync("/review/cases/c-2/verdict", Form(("verdict", "bogus")));

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent), (unsure.StatusCode, decided.StatusCode));
        Assert.Contains("data-case=\"c-2\"", annNext, StringComparison.Ordinal);
        Assert.Contains("data-case=\"c-1\"", bobNext, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        var reviewed = await ApiAsync("/api/cases?status=reviewed");
        var only = Assert.Single(reviewed.EnumerateArray());
        Assert.Equal(("c-1", "defect", "bob"), (only.GetProperty("id").GetString(), only.GetProperty("verdict").GetString(), only.GetProperty("reviewedBy").GetString()));
    }

    [Fact]
    public async Task The_admin_token_opens_the_case_api_and_accuracy_counts_an_overturned_audit_as_an_automatic_error()
    {
        using var ann = await LogInAsync("ann", Password);
        await ann.PostAsync("/review/cases/c-1/verdict", Form(("verdict", "defect")));

        var open = await ApiAsync("/api/cases?status=open");
        var accuracy = Assert.Single((await ApiAsync("/api/cases/accuracy")).EnumerateArray());

        Assert.Equal(["c-2"], open.EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Equal("crack-detector:v1", accuracy.GetProperty("model").GetString());
        var error = accuracy.GetProperty("automaticErrorRate");
        Assert.Equal((1, 1), (error.GetProperty("successes").GetInt64(), error.GetProperty("trials").GetInt64()));
        Assert.Equal(0.5, accuracy.GetProperty("shareEscalated").GetProperty("share").GetDouble());
    }

    private async Task<JsonElement> ApiAsync(string path)
    {
        using var admin = Client();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _fleet.AdminToken);
        using var response = await admin.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<HttpClient> LogInAsync(string name, string password)
    {
        var client = Client();
        using var response = await client.PostAsync("/login", Form(("name", name), ("password", password)));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private HttpClient Client() =>
        new(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(_fleet.HttpAddress) };

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));
}
