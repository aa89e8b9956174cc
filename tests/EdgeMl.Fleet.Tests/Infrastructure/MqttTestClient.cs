using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>An MQTT 5 client on loopback that keeps what it receives, for checking what a broker lets through.</summary>
internal sealed class MqttTestClient : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private readonly IMqttClient _client;
    private readonly ConcurrentQueue<MqttApplicationMessage> _received = new();

    private MqttTestClient(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Enqueue(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    public bool IsConnected => _client.IsConnected;

    public IReadOnlyList<string> ReceivedTopics => [.. _received.Select(m => m.Topic)];

    /// <summary>The payloads received on <paramref name="topic"/>, as text, in arrival order.</summary>
    public IReadOnlyList<string> Received(string topic) => [.. _received.Where(m => m.Topic == topic).Select(m => m.ConvertPayloadToString())];

    /// <summary>Connects, or fails the test with the broker's answer.</summary>
    public static async Task<MqttTestClient> ConnectAsync(int port, string? userName, string? password, string clientId)
    {
        var (client, code) = await TryConnectAsync(port, userName, password, clientId);
        return client ?? throw new InvalidOperationException($"the broker refused {userName ?? "anonymous"} ({clientId}): {code}");
    }

    /// <summary>The broker's answer to a connect; the client when it was accepted.</summary>
    public static async Task<(MqttTestClient? Client, MqttClientConnectResultCode Code)> TryConnectAsync(int port, string? userName, string? password, string clientId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanSession();
        if (userName is not null)
        {
            options.WithCredentials(userName, password);
        }

        var wrapped = new MqttTestClient(client);
        using var timeout = new CancellationTokenSource(CallTimeout);
        try
        {
            var result = await client.ConnectAsync(options.Build(), timeout.Token);
            if (result.ResultCode == MqttClientConnectResultCode.Success)
            {
                return (wrapped, result.ResultCode);
            }

            await wrapped.DisposeAsync();
            return (null, result.ResultCode);
        }
        catch (MqttConnectingFailedException)
        {
            // MQTTnet throws for some refusals without the code; a refusal is what the tests look for.
            await wrapped.DisposeAsync();
            return (null, MqttClientConnectResultCode.UnspecifiedError);
        }
    }

    public async Task<MqttClientSubscribeResultCode> SubscribeAsync(string filter)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        var result = await _client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce, timeout.Token);
        return result.Items.Single().ResultCode;
    }

    public Task PublishAsync(string topic, string payload, bool retain = false) => PublishAsync(topic, System.Text.Encoding.UTF8.GetBytes(payload), retain);

    public async Task PublishAsync(string topic, byte[] payload, bool retain = false)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build();
        await _client.PublishAsync(message, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            using var timeout = new CancellationTokenSource(CallTimeout);
            await _client.DisconnectAsync(cancellationToken: timeout.Token);
        }

        _client.Dispose();
    }
}
