using System.Net;
using System.Net.Http.Headers;
using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Hosting;

public sealed class FleetHttpEndpointsTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-http-" + Guid.NewGuid().ToString("N")[..10]);
    private static readonly HttpClient Http = new();
    private TestFleet _fleet = null!;

    public async Task InitializeAsync() => _fleet = await TestFleet.StartAsync(_root);

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData("/api/devices")]
    [InlineData("/api/rollouts")]
    [InlineData("/api/alerts")]
    [InlineData("/metrics")]
    public async Task Fleet_data_answers_401_without_a_credential(string path)
    {
        using var anonymous = await GetAsync(path, null);
        using var wrong = await GetAsync(path, "not-a-token");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Admin_token_opens_the_api_and_the_scrape_token_only_metrics()
    {
        var scrape = (await File.ReadAllTextAsync(Path.Combine(_root, "metrics.token"))).Trim();

        using var devices = await GetAsync("/api/devices", _fleet.AdminToken);
        using var adminMetrics = await GetAsync("/metrics", _fleet.AdminToken);
        using var scraped = await GetAsync("/metrics", scrape);
        using var scrapeOnApi = await GetAsync("/api/devices", scrape);

        Assert.Equal(HttpStatusCode.OK, devices.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminMetrics.StatusCode);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("edgeml_devices_enrolled", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, scrapeOnApi.StatusCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_root, "metrics.token")));
    }

    [Fact]
    public async Task The_scrape_counts_login_attempts_by_outcome()
    {
        var scrape = (await File.ReadAllTextAsync(Path.Combine(_root, "metrics.token"))).Trim();
        using var login = await Http.PostAsync(new Uri(_fleet.HttpAddress + "/login"), new FormUrlEncodedContent([KeyValuePair.Create("name", "nobody"), KeyValuePair.Create("password", "wrong")]));

        using var scraped = await GetAsync("/metrics", scrape);
        var text = await scraped.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Contains("# TYPE edgeml_logins_total counter", text, StringComparison.Ordinal);
        Assert.Matches("(?m)^edgeml_logins_total\\{[^}]*outcome=\"wrong\"[^}]*\\} [1-9]", text);
    }

    [Fact]
    public async Task Healthz_fails_when_the_broker_is_down()
    {
        using var healthy = await GetAsync("/healthz", null);
        await _fleet.Services.GetRequiredService<EmbeddedBroker>().StopAsync(CancellationToken.None);
        using var brokerDown = await GetAsync("/healthz", null);

        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        Assert.Equal("ok", await healthy.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, brokerDown.StatusCode);
        Assert.StartsWith("broker: ", await brokerDown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_fleet.HttpAddress + path));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Http.SendAsync(request);
    }
}
