using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EdgeMl.Contracts.Signing;

namespace EdgeMl.Fleet.Messaging;

/// <summary>
/// What an external Mosquitto needs to enforce the embedded broker's rules: <c>edgeml.conf</c> (no listener of its own,
/// no anonymous clients, the dynamic-security plugin) and the plugin's starting state, which holds the server's account.
/// Device accounts are added to the running broker by <see cref="DynamicSecurityAccounts"/>.
/// </summary>
internal static class MosquittoConfig
{
    public const string ConfFile = "edgeml.conf";

    public const string DynamicSecurityFile = "dynamic-security.json";

    public const string ServerRole = "edgeml-server";

    /// <summary>Unacknowledged messages Mosquitto sends one client at most: a batch of ingestion's per connection.</summary>
    public const int MaxInflightMessages = 1000;

    /// <summary>Where Debian, Ubuntu and a source build put the plugin.</summary>
    public static readonly IReadOnlyList<string> PluginPaths =
    [
        "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
        "/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so",
        "/usr/lib/mosquitto_dynamic_security.so",
        "/usr/local/lib/mosquitto_dynamic_security.so",
    ];

    // Mosquitto 2.0 reads PBKDF2-HMAC-SHA512 with a 12-byte salt; its own tools use 101 iterations, we use more.
    private const int SaltBytes = 12;
    private const int Iterations = 10_000;
    private const int HashBytes = 64;

    /// <summary>
    /// Writes both files; an existing plugin state is kept, since the running broker has added the enrolled devices to it.
    /// Returns whether the plugin state was written.
    /// </summary>
    public static bool Write(string directory, MqttServerCredential credential, string plugin)
    {
        Directory.CreateDirectory(directory);
        var state = Path.GetFullPath(Path.Combine(directory, DynamicSecurityFile));
        File.WriteAllText(Path.Combine(directory, ConfFile), string.Join('\n',
            "# EdgeMl fleet: written by fleet-server mosquitto-config. Include it from mosquitto.conf with include_dir;",
            "# the listener is the including file's. Device accounts are managed by the fleet server at run time.",
            "per_listener_settings false",
            "allow_anonymous false",
            // Mosquitto acknowledges a device's message on arrival and queues it for the server's sessions; beyond its default
            // of 1,000 queued per client it drops the rest silently, so a burst faster than ingestion lost aggregates the
            // devices had their PUBACK for. As many as the embedded broker holds (EmbeddedBroker.MaxPendingMessages).
            string.Create(CultureInfo.InvariantCulture, $"max_queued_messages {EmbeddedBroker.MaxPendingMessages}"),
            // Ingestion acknowledges a batch once it is stored: Mosquitto's default of 20 unacknowledged messages per client
            // made every batch 20 messages, one transaction each.
            string.Create(CultureInfo.InvariantCulture, $"max_inflight_messages {MaxInflightMessages}"),
            $"plugin {plugin}",
            $"plugin_opt_config_file {state}",
            ""));
        if (File.Exists(state))
        {
            return false;
        }

        SecretFile.Write(state, Encoding.UTF8.GetBytes(InitialState(credential).ToJsonString()));
        return true;
    }

    private static JsonObject InitialState(MqttServerCredential credential)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(credential.Password, salt, Iterations, HashAlgorithmName.SHA512, HashBytes);
        return new JsonObject
        {
            ["defaultACLAccess"] = new JsonObject
            {
                ["publishClientSend"] = false,
                ["publishClientReceive"] = true,
                ["subscribe"] = false,
                ["unsubscribe"] = true,
            },
            ["clients"] = new JsonArray(new JsonObject
            {
                ["username"] = MqttServerCredential.UserName,
                ["textName"] = "EdgeMl fleet server",
                ["password"] = Convert.ToBase64String(hash),
                ["salt"] = Convert.ToBase64String(salt),
                ["iterations"] = Iterations,
                ["roles"] = new JsonArray(new JsonObject { ["rolename"] = ServerRole }),
            }),
            ["roles"] = new JsonArray(new JsonObject
            {
                ["rolename"] = ServerRole,
                ["acls"] = new JsonArray(
                    Acl("publishClientSend", TelemetryTopics.Everything),
                    Acl("subscribePattern", TelemetryTopics.Everything),
                    Acl("subscribePattern", TelemetryTopics.Shared(TelemetryTopics.Everything)),
                    Acl("publishClientSend", DynamicSecurityAccounts.ControlTopic),
                    Acl("subscribePattern", DynamicSecurityAccounts.ControlTopic + "/#"),
                    Acl("publishClientReceive", DynamicSecurityAccounts.ControlTopic + "/#")),
            }),
            ["groups"] = new JsonArray(),
        };
    }

    private static JsonObject Acl(string type, string topic) => new() { ["acltype"] = type, ["topic"] = topic, ["allow"] = true };

    public static string Describe(string directory, bool wroteState) => string.Format(
        CultureInfo.InvariantCulture,
        "wrote {0}{1}; add 'include_dir {2}' to mosquitto.conf (after its listener) and let the broker's user own that directory",
        Path.Combine(directory, ConfFile),
        wroteState ? " and " + Path.Combine(directory, DynamicSecurityFile) : $" (kept the existing {DynamicSecurityFile}: it holds the enrolled devices)",
        Path.GetFullPath(directory));
}
