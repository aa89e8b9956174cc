using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace EdgeMl.Fleet.Messaging;

/// <summary>
/// Device accounts on an external Mosquitto, through its dynamic-security plugin's control topic: enrolment creates
/// the device's client (user name and client id = device id, password = its secret) with a role of its own that opens
/// its topics only; revocation deletes both, which also drops the device's connection. The server's account, which may
/// send these commands, comes from <c>fleet-server mosquitto-config</c>.
/// </summary>
internal sealed class DynamicSecurityAccounts(Uri broker, MqttServerCredential credential, TimeProvider time) : IBrokerAccounts
{
    public const string ControlTopic = "$CONTROL/dynamic-security/v1";

    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(10);

    public static string DeviceRole(string deviceId) => "edgeml-device-" + deviceId;

    public async Task AddDeviceAsync(string deviceId, string secret, CancellationToken cancellationToken)
    {
        // Dynamic security in Mosquitto 2.0 has no %u patterns in ACLs, so each device gets a role naming its own topics.
        var acls = new JsonArray(
            Acl("publishClientSend", TelemetryTopics.DeviceTopics(deviceId)),
            Acl("subscribePattern", TelemetryTopics.Commands(deviceId)),
            Acl("subscribePattern", TelemetryTopics.CommandFilter(deviceId)),
            Acl("unsubscribePattern", TelemetryTopics.CommandFilter(deviceId)));
        var errors = await SendAsync(
            [
                new JsonObject { ["command"] = "createRole", ["rolename"] = DeviceRole(deviceId), ["acls"] = acls },
                new JsonObject
                {
                    ["command"] = "createClient",
                    ["username"] = deviceId,
                    ["password"] = secret,
                    ["clientid"] = deviceId,
                    ["roles"] = new JsonArray(new JsonObject { ["rolename"] = DeviceRole(deviceId) }),
                },
            ],
            cancellationToken);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"the MQTT broker {broker.Authority} did not create the account of {deviceId}: {string.Join("; ", errors)}");
        }
    }

    public async Task RemoveDeviceAsync(string deviceId, CancellationToken cancellationToken)
    {
        var errors = await SendAsync(
            [
                new JsonObject { ["command"] = "deleteClient", ["username"] = deviceId },
                new JsonObject { ["command"] = "deleteRole", ["rolename"] = DeviceRole(deviceId) },
            ],
            cancellationToken);
        // A device enrolled before the broker was set up has no account there: nothing to delete is not a failure.
        var failures = errors.Where(e => !e.Contains("not found", StringComparison.OrdinalIgnoreCase)).ToList();
        if (failures.Count > 0)
        {
            throw new InvalidOperationException($"the MQTT broker {broker.Authority} did not delete the account of {deviceId}: {string.Join("; ", failures)}");
        }
    }

    private static JsonObject Acl(string type, string topic) => new() { ["acltype"] = type, ["topic"] = topic, ["allow"] = true };

    /// <summary>Sends the commands in one message and returns the errors the plugin answered with.</summary>
    private async Task<IReadOnlyList<string>> SendAsync(JsonObject[] commands, CancellationToken cancellationToken)
    {
        // Other replicas' answers arrive on the same response topic: ours carry this correlation.
        var correlation = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        for (var i = 0; i < commands.Length; i++)
        {
            commands[i]["correlationData"] = $"{correlation}-{i}";
        }

        using var client = new MqttClientFactory().CreateMqttClient();
        var answered = new TaskCompletionSource<JsonArray>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (JsonNode.Parse(e.ApplicationMessage.ConvertPayloadToString())?["responses"] is JsonArray responses
                && responses.Any(r => r?["correlationData"]?.GetValue<string>()?.StartsWith(correlation, StringComparison.Ordinal) == true))
            {
                answered.TrySetResult(responses);
            }

            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port > 0 ? broker.Port : broker.Scheme == "mqtts" ? 8883 : 1883)
            .WithCredentials(MqttServerCredential.UserName, credential.Password)
            .WithClientId($"{MqttServerCredential.UserName}-admin-{correlation}")
            .WithCleanSession()
            .WithTlsOptions(tls => tls.UseTls(broker.Scheme == "mqtts"))
            .Build();
        using var timeout = new CancellationTokenSource(ResponseTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await client.ConnectAsync(options, linked.Token);
            await client.SubscribeAsync(ControlTopic + "/response", MqttQualityOfServiceLevel.AtLeastOnce, linked.Token);
            await client.PublishStringAsync(ControlTopic, new JsonObject { ["commands"] = new JsonArray(commands) }.ToJsonString(), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: linked.Token);
            var responses = await answered.Task.WaitAsync(linked.Token);
            await client.DisconnectAsync(cancellationToken: linked.Token);
            return [.. responses.Select(r => r?["error"]?.GetValue<string>() is { } error ? $"{r["command"]}: {error}" : null).OfType<string>()];
        }
        catch (Exception e) when (e is MqttCommunicationException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new InvalidOperationException(
                $"the MQTT broker {broker.Authority} did not answer the dynamic-security commands ({e.Message}); check that it loads the edgeml.conf from fleet-server mosquitto-config", e);
        }
    }
}
