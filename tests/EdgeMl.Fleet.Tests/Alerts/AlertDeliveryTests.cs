using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeMl.Fleet.Alerts;
using EdgeMl.Fleet.Messaging;
using EdgeMl.Fleet.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Alerts;

/// <summary>Alerts raised on a running server reach the MQTT alerts topic, the webhook, the API and the CLI.</summary>
public sealed class AlertDeliveryTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly AlertKey Outbox = new(AlertKinds.OutboxNearFull, "cam-7");
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-alerts-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly ConcurrentQueue<string> _hooked = new();
    private WebApplication _webhook = null!;
    private TestFleet _fleet = null!;
    private int _hookCalls;

    public async Task InitializeAsync()
    {
        // The webhook refuses its first call, as a receiver that is restarting would: delivery must retry.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _webhook = builder.Build();
        _webhook.MapPost("/hook", async (HttpRequest request) =>
        {
            if (Interlocked.Increment(ref _hookCalls) == 1)
            {
                return Results.StatusCode(503);
            }

            _hooked.Enqueue(await new StreamReader(request.Body).ReadToEndAsync());
            return Results.NoContent();
        });
        await _webhook.StartAsync();
        var url = _webhook.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/hook";
        _fleet = await TestFleet.StartAsync(_root, services => services.Configure<AlertOptions>(o =>
        {
            o.Webhook = url;
            o.RetryDelay = TimeSpan.FromMilliseconds(50);
        }));
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _webhook.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Publishes_raised_and_cleared_alerts_on_the_alerts_topic_of_the_embedded_broker()
    {
        var password = (await File.ReadAllTextAsync(Path.Combine(_root, MqttServerCredential.File))).Trim();
        await using var listener = await MqttTestClient.ConnectAsync(_fleet.Options.MqttPort, MqttServerCredential.UserName, password, "alert-listener");
        await listener.SubscribeAsync(TelemetryTopics.Alerts);

        await Alerts.RaiseAsync(Outbox, AlertSeverity.Warning, "cam-7's outbox is 90 % full", CancellationToken.None);
        await Alerts.ClearAsync(Outbox, CancellationToken.None);

        var published = await Eventually.HoldsAsync(() => Task.FromResult(listener.Received(TelemetryTopics.Alerts)), p => p.Count == 2, Patience, "the raised and the cleared alert on the topic");
        var (raised, cleared) = (JsonDocument.Parse(published[0]).RootElement, JsonDocument.Parse(published[1]).RootElement);
        Assert.Equal(("outbox_near_full", "cam-7", "warning", JsonValueKind.Null), (raised.GetProperty("kind").GetString(), raised.GetProperty("deviceId").GetString(), raised.GetProperty("severity").GetString(), raised.GetProperty("clearedAt").ValueKind));
        Assert.Equal(raised.GetProperty("id").GetString(), cleared.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.String, cleared.GetProperty("clearedAt").ValueKind);
    }

    [Fact]
    public async Task Posts_each_alert_to_the_webhook_once_retrying_after_a_refusal()
    {
        var raised = await Alerts.RaiseAsync(Outbox, AlertSeverity.Warning, "cam-7's outbox is 90 % full", CancellationToken.None);
        var again = await Alerts.RaiseAsync(Outbox, AlertSeverity.Warning, "cam-7's outbox is 90 % full", CancellationToken.None);

        var body = (await Eventually.HoldsAsync(() => Task.FromResult(_hooked.ToArray()), h => h.Length == 1, Patience, "the alert at the webhook")).Single();
        Assert.Null(again);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal((raised!.Id, "outbox_near_full", "cam-7's outbox is 90 % full"), (json.GetProperty("id").GetString(), json.GetProperty("kind").GetString(), json.GetProperty("message").GetString()));
        Assert.Equal(2, Volatile.Read(ref _hookCalls));
    }

    [Fact]
    public async Task Lists_alerts_in_the_api_for_the_admin_and_in_the_cli()
    {
        var key = new AlertKey(AlertKinds.Drift, "cam-3", "crack-detector", "v3");
        await Alerts.RaiseAsync(key, AlertSeverity.Critical, "drift on cam-3", CancellationToken.None);
        await Alerts.RaiseAsync(Outbox, AlertSeverity.Warning, "cam-7's outbox is 90 % full", CancellationToken.None);
        await Alerts.ClearAsync(Outbox, CancellationToken.None);

        using var request = new HttpRequestMessage(HttpMethod.Get, _fleet.HttpAddress + "/api/alerts?open=true");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _fleet.AdminToken);
        using var response = await Http.SendAsync(request);
        var open = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var cli = await FleetCli.RunAsync(["alert", "list", "--json", "--data", _root]);
        var text = await FleetCli.RunAsync(["alert", "list", "--open", "--data", _root]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var alert = Assert.Single(open.EnumerateArray());
        Assert.Equal(
            ["id", "kind", "deviceId", "modelName", "modelVersion", "severity", "message", "raisedAt", "clearedAt"],
            alert.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("drift", "crack-detector", "v3", "critical"), (alert.GetProperty("kind").GetString(), alert.GetProperty("modelName").GetString(), alert.GetProperty("modelVersion").GetString(), alert.GetProperty("severity").GetString()));
        Assert.Equal(0, cli.ExitCode);
        Assert.Equal(["drift", "outbox_near_full"], JsonDocument.Parse(cli.Output).RootElement.EnumerateArray().Select(a => a.GetProperty("kind").GetString()).Order());
        Assert.Contains("open  critical  drift  cam-3  crack-detector:v3  drift on cam-3", text.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("outbox_near_full", text.Output, StringComparison.Ordinal);
    }

    private AlertService Alerts => _fleet.Services.GetRequiredService<AlertService>();
}
