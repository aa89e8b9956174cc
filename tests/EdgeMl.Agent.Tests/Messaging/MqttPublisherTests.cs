using System.Collections.Concurrent;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Messaging;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Sync;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Telemetry;
using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace EdgeMl.Agent.Tests.Messaging;

/// <summary>
/// The publisher against a real MQTTnet broker on an OS-chosen port, which records what it accepts and can refuse, and a
/// subscriber in the place of the server's ingestion, without which the broker drops what it takes.
/// </summary>
public sealed class MqttPublisherTests : IAsyncLifetime, IDisposable
{
    private const string Device = "dev-0123456789abcdef";
    private const string Ingestion = "ingestion";

    private readonly TempDirectory _dir = new();
    private readonly ConcurrentQueue<(string Topic, byte[] Payload, bool Retain)> _accepted = new();
    private readonly ConcurrentQueue<string> _ingested = new();
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(30));
    private readonly MqttServerOptions _options = new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointPort(0).Build();
    private MqttServer _broker = null!;
    private IMqttClient? _ingestion;
    private volatile string? _refuse;

    public async Task InitializeAsync()
    {
        _broker = new MqttServerFactory().CreateMqttServer(_options);
        _broker.ValidatingConnectionAsync += e =>
        {
            if (e.ClientId != Ingestion && (e.UserName != Device || e.Password != "secret" || e.ClientId != Device))
            {
                e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            }

            return Task.CompletedTask;
        };
        _broker.InterceptingPublishAsync += e =>
        {
            var message = e.ApplicationMessage;
            if (_refuse is { } id && message.Topic == DeviceTopics.Telemetry(Device) && ModelAggregate.Parser.ParseFrom(message.Payload).MessageId == id)
            {
                e.ProcessPublish = false;
                e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
            }
            else
            {
                _accepted.Enqueue((message.Topic, System.Buffers.BuffersExtensions.ToArray(message.Payload), message.Retain));
            }

            return Task.CompletedTask;
        };
        await _broker.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _ingestion?.Dispose();
        await _broker.StopAsync();
        _broker.Dispose();
    }

    public void Dispose()
    {
        _deadline.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Publishes_the_outbox_in_order_and_keeps_a_refused_message_and_those_behind_it_until_the_broker_takes_them()
    {
        await IngestionSubscribesAsync();
        using var host = Build();
        var outbox = host.Services.GetRequiredService<OutboxStore>();
        Enqueue(outbox, "a-1");
        _refuse = "a-2";
        Enqueue(outbox, "a-2");
        Enqueue(outbox, "a-3");
        await host.StartAsync();

        await Poll.UntilAsync(() => Aggregates().Count == 1 && outbox.Usage.Messages == 2, "a-1 published, a-2 refused and kept with a-3", _deadline.Token);
        _refuse = null;
        await Poll.UntilAsync(() => outbox.Usage.Messages == 0, "the outbox drained once the broker takes a-2", _deadline.Token);
        Enqueue(outbox, "a-4");
        await Poll.UntilAsync(() => outbox.Usage.Messages == 0 && Aggregates().Count == 4, "a message enqueued later published at once", _deadline.Token);

        Assert.Equal(["a-1", "a-2", "a-3", "a-4"], Aggregates());
        var status = _accepted.First();
        Assert.Equal((DeviceTopics.Status(Device), true, true), (status.Topic, status.Retain, DeviceStatus.Parser.ParseFrom(status.Payload).Online));
        await host.StopAsync();
        var last = _accepted.Last();
        Assert.Equal((DeviceTopics.Status(Device), true, false), (last.Topic, last.Retain, DeviceStatus.Parser.ParseFrom(last.Payload).Online));
    }

    [Fact]
    public async Task Keeps_a_message_the_broker_took_without_a_subscriber_and_sends_it_again_once_the_ingestion_subscribes()
    {
        using var host = Build();
        var outbox = host.Services.GetRequiredService<OutboxStore>();
        Enqueue(outbox, "a-1");
        await host.StartAsync();

        // The broker takes a-1 and answers that nobody subscribed; it dropped it, so the publisher offers it again.
        await Poll.UntilAsync(() => Aggregates().Count(id => id == "a-1") >= 2, "a-1 offered twice while nobody subscribes", _deadline.Token);
        Assert.Equal(1, outbox.Usage.Messages);
        await IngestionSubscribesAsync();
        await Poll.UntilAsync(() => outbox.Usage.Messages == 0, "the outbox drained once the ingestion subscribed", _deadline.Token);

        Assert.Equal(["a-1"], _ingested);
        await host.StopAsync();
    }

    [Fact]
    public async Task Records_a_failed_desired_state_as_an_error_event_published_on_the_events_topic()
    {
        await IngestionSubscribesAsync();
        using var host = Build();
        await host.StartAsync();

        host.Services.GetRequiredService<StatusReporter>().Post(StatusReporter.ActiveKind, new EdgeMl.Protos.Fleet.StatusReport
        {
            Revision = 3, ModelName = "crack-detector", ModelVersion = "v9", State = EdgeMl.Protos.Fleet.DeviceModelState.Failed, Reason = "hash mismatch",
        });

        await Poll.UntilAsync(() => _accepted.Any(m => m.Topic == DeviceTopics.Events(Device)), "the error event", _deadline.Token);
        var published = DeviceEvent.Parser.ParseFrom(_accepted.First(m => m.Topic == DeviceTopics.Events(Device)).Payload);
        Assert.Equal((DeviceEventKind.Error, "crack-detector", "v9"), (published.Kind, published.ModelName, published.ModelVersion));
        Assert.Contains("hash mismatch", published.Detail, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public void Refuses_a_broker_that_is_not_an_mqtt_url()
    {
        var result = new MqttOptionsValidator().Validate(null, new MqttOptions { Broker = "http://fleet:1883" });

        Assert.True(result.Failed);
        Assert.Contains("Mqtt:Broker", result.FailureMessage, StringComparison.Ordinal);
    }

    private List<string> Aggregates() =>
        [.. _accepted.Where(m => m.Topic == DeviceTopics.Telemetry(Device)).Select(m => ModelAggregate.Parser.ParseFrom(m.Payload).MessageId)];

    /// <summary>Subscribes to every device's telemetry and events as the server's ingestion does, and records what it receives.</summary>
    private async Task IngestionSubscribesAsync()
    {
        _ingestion = new MqttClientFactory().CreateMqttClient();
        _ingestion.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == DeviceTopics.Telemetry(Device))
            {
                _ingested.Enqueue(ModelAggregate.Parser.ParseFrom(e.ApplicationMessage.Payload).MessageId);
            }

            return Task.CompletedTask;
        };
        await _ingestion.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", Port()).WithClientId(Ingestion).Build(), _deadline.Token);
        await _ingestion.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(DeviceTopics.EveryDevice(DeviceTopics.TelemetryName), MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter(DeviceTopics.EveryDevice(DeviceTopics.EventsName), MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            _deadline.Token);
    }

    private static void Enqueue(OutboxStore outbox, string id) =>
        Assert.Equal(OutboxAdmission.Accepted, outbox.Enqueue(OutboxKind.Telemetry, id, new ModelAggregate { MessageId = id, Frames = 1 }.ToByteArray()));

    private IHost Build()
    {
        var agent = new AgentOptions { Server = "http://127.0.0.1:1", DataDirectory = _dir.Path, MinBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(200) };
        // Already enrolled: the publisher reads the identity and never calls the (absent) server.
        new DeviceIdentity(Device, "secret", Convert.ToBase64String(new byte[32]), "0000", agent.Server, $"mqtt://127.0.0.1:{Port()}").Save(_dir.Path);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Mqtt:KeepAlive"] = "00:00:02" }).Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(Options.Create(agent));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton(new ModelHolder(TimeProvider.System));
        builder.Services.AddSingleton<FleetConnection>();
        builder.Services.AddSingleton<FleetTrust>();
        builder.Services.AddSingleton<DeviceEnrolment>();
        builder.Services.AddSingleton<StatusReporter>();
        builder.Services.AddOutbox(configuration, _dir.Path);
        builder.Services.AddMessaging(configuration);
        return builder.Build();
    }

    // MQTTnet writes the port it bound back into the endpoint options.
    private int Port() => _options.DefaultEndpointOptions.Port;
}
