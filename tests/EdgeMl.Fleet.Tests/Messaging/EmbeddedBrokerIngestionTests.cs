using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using EdgeMl.Fleet.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeMl.Fleet.Tests.Messaging;

/// <summary>The embedded broker hands a device's telemetry to ingestion in-process and answers its PUBACK once it is stored.</summary>
public sealed class EmbeddedBrokerIngestionTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _root = Directory.CreateTempSubdirectory("edgeml-in-process-").FullName;
    private readonly CapturedWarnings _logs = new();
    private TestFleet _fleet = null!;

    public async Task InitializeAsync() => _fleet = await TestFleet.StartAsync(_root, services => services.AddSingleton<ILoggerProvider>(_logs));

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task While_the_database_cannot_store_a_device_stays_connected_and_is_told_to_send_again_and_its_resend_is_stored_once_before_its_puback()
    {
        var device = await _fleet.EnrolAsync();
        using var client = new MqttClientFactory().CreateMqttClient();
        using var timeout = new CancellationTokenSource(Patience);
        // A short keep-alive: the broker drops a connection it heard nothing from for one and a half of it (4.5 s), less than
        // the 5 s a wait not tied to the keep-alive would take. Not shorter: a busy machine delays the client's own pings.
        await client.ConnectAsync(
            new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _fleet.Options.MqttPort).WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId(device.DeviceId).WithCredentials(device.DeviceId, device.Secret).WithCleanStart().WithKeepAlivePeriod(TimeSpan.FromSeconds(3)).Build(),
            timeout.Token);

        // Another writer holds SQLite's write lock: ingestion cannot store until it lets go.
        await using var holder = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_root, "fleet.db"), Pooling = false }.ToString());
        await holder.OpenAsync();
        await using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
        }

        // Not stored, so not "success": the agent keeps an aggregate nobody took and sends it again.
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, (await client.PublishAsync(Message(device.DeviceId, "m-1"), timeout.Token)).ReasonCode);
        await Eventually.HoldsAsync(
            () => Task.FromResult(_logs.Warnings.ToList()), w => w.Any(m => m.Contains("telemetry messages not stored", StringComparison.Ordinal)), Patience,
            "ingestion to fail to store while the database is locked");
        Assert.Empty(await StoredAsync(device.DeviceId));
        Assert.True(client.IsConnected, "the broker dropped the device while its aggregate waited for the database");

        await using (var rollback = holder.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }

        Assert.Equal(MqttClientPublishReasonCode.Success, (await client.PublishAsync(Message(device.DeviceId, "m-1"), timeout.Token)).ReasonCode);
        // Read right after the PUBACK: it came once the aggregate was stored.
        Assert.Single(await StoredAsync(device.DeviceId));
        Assert.Equal(MqttClientPublishReasonCode.Success, (await client.PublishAsync(Message(device.DeviceId, "m-2", window: 1), timeout.Token)).ReasonCode);
        Assert.Equal(["m-1", "m-2"], (await StoredAsync(device.DeviceId)).Select(r => r.Aggregate.MessageId).Order());
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Telemetry_a_device_publishes_under_another_devices_prefix_is_refused_and_not_stored()
    {
        var device = await _fleet.EnrolAsync();
        var victim = await _fleet.EnrolAsync("victim");
        using var client = new MqttClientFactory().CreateMqttClient();
        using var timeout = new CancellationTokenSource(Patience);
        await client.ConnectAsync(
            new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _fleet.Options.MqttPort).WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId(device.DeviceId).WithCredentials(device.DeviceId, device.Secret).WithCleanStart().Build(),
            timeout.Token);

        var forged = await client.PublishAsync(Message(victim.DeviceId, "forged"), timeout.Token);
        var own = await client.PublishAsync(Message(device.DeviceId, "own"), timeout.Token);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, own.ReasonCode);
        Assert.Empty(await StoredAsync(victim.DeviceId));
        Assert.Equal(["own"], (await StoredAsync(device.DeviceId)).Select(r => r.Aggregate.MessageId));
    }

    private Task<IReadOnlyList<TelemetryRecord>> StoredAsync(string deviceId) =>
        _fleet.Services.GetRequiredService<FleetStores>().Telemetry.ListAsync(new TelemetryQuery { DeviceIds = [deviceId] }, CancellationToken.None);

    private static MqttApplicationMessage Message(string deviceId, string id, int window = 0) => new MqttApplicationMessageBuilder()
        .WithTopic(DeviceTopics.Telemetry(deviceId))
        .WithPayload(new ModelAggregate
        {
            MessageId = id,
            WindowStart = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(1_767_225_600 + (10 * window))),
            WindowEnd = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(1_767_225_610 + (10 * window))),
            Role = ModelRole.Active,
            ModelName = "crack-detector",
            ModelVersion = "v1",
            Frames = 10,
        }.ToByteArray())
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .Build();
}
