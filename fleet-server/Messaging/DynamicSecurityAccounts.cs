using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EdgeMl.Fleet.Storage;
using Microsoft.Extensions.Logging;
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
internal sealed partial class DynamicSecurityAccounts(
    Uri broker, MqttServerCredential credential, FleetStores stores, TimeProvider time, ILogger<DynamicSecurityAccounts> logger) : IBrokerAccounts, IDisposable
{
    public const string ControlTopic = "$CONTROL/dynamic-security/v1";

    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(10);

    // Which devices have an account, so that a device call asks the broker only about a device it has not seen yet.
    // Names only, no secrets; loaded with one listClients the first time a device calls.
    private readonly ConcurrentDictionary<string, bool> _accounts = new();
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile bool _loaded;

    public static string DeviceRole(string deviceId) => "edgeml-device-" + deviceId;

    public async Task AddDeviceAsync(string deviceId, string secret, CancellationToken cancellationToken)
    {
        var errors = Errors(await CreateAccountAsync(deviceId, secret, cancellationToken));
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"the MQTT broker {broker.Authority} did not create the account of {deviceId}: {string.Join("; ", errors)}");
        }

        _accounts[deviceId] = true;
    }

    public async Task DeviceAuthenticatedAsync(string deviceId, string secret, CancellationToken cancellationToken)
    {
        if (_accounts.ContainsKey(deviceId))
        {
            return;
        }

        try
        {
            await LoadAccountsAsync(cancellationToken);
            if (_accounts.ContainsKey(deviceId))
            {
                return;
            }

            // Another replica may have created it since the list was read: that is the outcome wanted.
            var errors = Errors(await CreateAccountAsync(deviceId, secret, cancellationToken));
            if (errors.Any(e => !e.Contains("already exists", StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException(string.Join("; ", errors));
            }

            _accounts[deviceId] = true;
            // Revoked after its call was checked: the account must not outlive the device.
            if (await stores.Devices.GetAsync(deviceId, cancellationToken) is null)
            {
                await RemoveDeviceAsync(deviceId, cancellationToken);
                return;
            }

            LogAccountCreated(deviceId, broker.Authority);
        }
        catch (InvalidOperationException e)
        {
            LogAccountNotCreated(deviceId, broker.Authority, e.Message);
        }
    }

    public async Task RemoveDeviceAsync(string deviceId, CancellationToken cancellationToken)
    {
        _accounts.TryRemove(deviceId, out _);
        var responses = await SendAsync(
            [
                new JsonObject { ["command"] = "deleteClient", ["username"] = deviceId },
                new JsonObject { ["command"] = "deleteRole", ["rolename"] = DeviceRole(deviceId) },
            ],
            cancellationToken);
        // A device that never had an account there (its calls stopped before one was made) has nothing to delete.
        var failures = Errors(responses).Where(e => !e.Contains("not found", StringComparison.OrdinalIgnoreCase)).ToList();
        if (failures.Count > 0)
        {
            throw new InvalidOperationException(
                $"the MQTT broker {broker.Authority} did not delete the account of {deviceId}: {string.Join("; ", failures)}; run device revoke again once it answers");
        }
    }

    public void Dispose() => _loading.Dispose();

    private async Task<JsonArray> CreateAccountAsync(string deviceId, string secret, CancellationToken cancellationToken)
    {
        // Dynamic security in Mosquitto 2.0 has no %u patterns in ACLs, so each device gets a role naming its own topics.
        var acls = new JsonArray(
            Acl("publishClientSend", TelemetryTopics.DeviceTopics(deviceId)),
            Acl("subscribePattern", TelemetryTopics.Commands(deviceId)),
            Acl("subscribePattern", TelemetryTopics.CommandFilter(deviceId)),
            Acl("unsubscribePattern", TelemetryTopics.CommandFilter(deviceId)));
        return await SendAsync(
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
    }

    private async Task LoadAccountsAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (!_loaded)
            {
                var responses = await SendAsync([new JsonObject { ["command"] = "listClients", ["verbose"] = false, ["count"] = -1, ["offset"] = 0 }], cancellationToken);
                if (Errors(responses) is { Count: > 0 } errors)
                {
                    throw new InvalidOperationException($"listClients: {string.Join("; ", errors)}");
                }

                foreach (var name in responses[0]?["data"]?["clients"]?.AsArray() ?? [])
                {
                    _accounts[name!.GetValue<string>()] = true;
                }

                _loaded = true;
            }
        }
        finally
        {
            _loading.Release();
        }
    }

    private static JsonObject Acl(string type, string topic) => new() { ["acltype"] = type, ["topic"] = topic, ["allow"] = true };

    private static List<string> Errors(JsonArray responses) =>
        [.. responses.Select(r => r?["error"]?.GetValue<string>() is { } error ? $"{r["command"]}: {error}" : null).OfType<string>()];

    /// <summary>Sends the commands in one message and returns the plugin's responses.</summary>
    private async Task<JsonArray> SendAsync(JsonObject[] commands, CancellationToken cancellationToken)
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
            return responses;
        }
        catch (Exception e) when (e is MqttCommunicationException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new InvalidOperationException(
                $"the MQTT broker {broker.Authority} did not answer the dynamic-security commands ({e.Message}); check that it loads the edgeml.conf from fleet-server mosquitto-config", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the MQTT account of {Device}, enrolled before {Broker} was set up")]
    private partial void LogAccountCreated(string device, string broker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No MQTT account yet for {Device} on {Broker} ({Reason}); its next call tries again")]
    private partial void LogAccountNotCreated(string device, string broker, string reason);
}
