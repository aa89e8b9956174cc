using System.Net;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Security;

/// <summary>The one login form over real HTTP: admins and inspectors, where each may go, and the throttle on guessing.</summary>
public sealed class LoginTests : IAsyncLifetime
{
    private const string Password = "correct horse battery";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-login-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly ManualClock _time = new(DateTimeOffset.UtcNow);
    private TestFleet _fleet = null!;

    public async Task InitializeAsync()
    {
        _fleet = await TestFleet.StartAsync(_root, time: _time);
        var stores = _fleet.Services.GetRequiredService<FleetStores>();
        await stores.Inspectors.AddAsync(new Account("root", Account.Admin), AccountPasswords.Hash(Password), DateTimeOffset.UtcNow, CancellationToken.None);
        await stores.Inspectors.AddAsync(new Account("ann", Account.Inspector), AccountPasswords.Hash(Password), DateTimeOffset.UtcNow, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task An_admin_session_opens_the_dashboard_the_fleet_api_and_the_review_station()
    {
        using var root = Client();
        using var login = await LogInAsync(root, "root", Password);

        using var dashboard = await root.GetAsync("/");
        using var devices = await root.GetAsync("/api/devices");
        using var series = await root.GetAsync("/api/telemetry/series?bucket=1m");
        using var review = await root.GetAsync("/review");

        Assert.Equal((HttpStatusCode.Redirect, "/"), (login.StatusCode, login.Headers.Location?.OriginalString));
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("id=\"chart-throughput\"", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.All([devices, series, review], r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task An_inspector_session_is_refused_on_every_admin_route()
    {
        using var ann = Client();
        using var login = await LogInAsync(ann, "ann", Password);

        Assert.Equal((HttpStatusCode.Redirect, "/review"), (login.StatusCode, login.Headers.Location?.OriginalString));
        foreach (var path in new[] { "/", "/api/devices", "/api/rollouts", "/api/telemetry/series", "/api/events" })
        {
            using var response = await ann.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path} answered {response.StatusCode}");
        }
    }

    [Fact]
    public async Task Without_a_session_the_dashboard_sends_the_browser_to_the_login_form()
    {
        using var anonymous = await Client().GetAsync("/");

        Assert.Equal((HttpStatusCode.Redirect, "/login"), (anonymous.StatusCode, anonymous.Headers.Location?.OriginalString));
    }

    [Fact]
    public async Task A_login_that_is_not_a_form_is_refused_with_400()
    {
        using var response = await Client().PostAsync("/login", new StringContent("{\"name\":\"root\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Failed_logins_for_a_name_lock_it_until_the_window_passes_while_other_names_still_log_in()
    {
        using var client = Client();
        for (var i = 0; i < LoginThrottle.FailuresPerName; i++)
        {
            using var wrong = await LogInAsync(client, "ann", "not the password " + i);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var locked = await LogInAsync(client, "ann", Password);
        using var other = await LogInAsync(client, "root", Password);
        _time.Advance(LoginThrottle.Window);
        using var later = await LogInAsync(client, "ann", Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal(LoginThrottle.Window, locked.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, later.StatusCode);
    }

    [Fact]
    public async Task Failed_logins_spread_over_names_lock_the_address()
    {
        using var client = Client();
        for (var i = 0; i < LoginThrottle.FailuresPerAddress; i++)
        {
            using var unknown = await LogInAsync(client, "guess" + i, Password);
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        }

        using var locked = await LogInAsync(client, "root", Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
    }

    private HttpClient Client() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(_fleet.HttpAddress) };

    private static Task<HttpResponseMessage> LogInAsync(HttpClient client, string name, string password) =>
        client.PostAsync("/login", new FormUrlEncodedContent([KeyValuePair.Create("name", name), KeyValuePair.Create("password", password)]));

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
