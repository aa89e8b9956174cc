using EdgeMl.Fleet.Messaging;

namespace EdgeMl.Fleet.Tests.Messaging;

public sealed class MosquittoConfigTests : IDisposable
{
    private const string Plugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
    private readonly string _root = Directory.CreateTempSubdirectory("edgeml-mosquitto-config-").FullName;

    [Fact]
    public void Writes_a_configuration_without_listener_or_anonymous_access_and_an_owner_only_plugin_state()
    {
        var output = Path.Combine(_root, "out");

        Assert.True(MosquittoConfig.Write(output, MqttServerCredential.LoadOrCreate(Path.Combine(_root, "data")), Plugin));

        var conf = File.ReadAllLines(Path.Combine(output, MosquittoConfig.ConfFile));
        Assert.Contains("allow_anonymous false", conf);
        Assert.DoesNotContain(conf, l => l.StartsWith("listener", StringComparison.Ordinal) || l.StartsWith("port", StringComparison.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(output, MosquittoConfig.DynamicSecurityFile)));
    }

    [Fact]
    public void Keeps_the_plugin_state_a_running_broker_has_added_devices_to()
    {
        var output = Path.Combine(_root, "out");
        var credential = MqttServerCredential.LoadOrCreate(Path.Combine(_root, "data"));
        MosquittoConfig.Write(output, credential, Plugin);
        var state = Path.Combine(output, MosquittoConfig.DynamicSecurityFile);
        File.WriteAllText(state, "{\"clients\":[{\"username\":\"dev-1\"}]}");

        Assert.False(MosquittoConfig.Write(output, credential, Plugin));
        Assert.Equal("{\"clients\":[{\"username\":\"dev-1\"}]}", File.ReadAllText(state));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
