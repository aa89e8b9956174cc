using System.CommandLine;
using EdgeMl.Fleet.Messaging;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>mosquitto-config</c>: the files an external Mosquitto includes to enforce the fleet's MQTT accounts and topics.</summary>
internal static class MosquittoConfigCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Directory for edgeml.conf and dynamic-security.json (the broker includes it with include_dir)", Required = true };
        var data = new Option<string>("--data")
        {
            Description = "The fleet server's data directory: its MQTT account (mqtt-server.secret) is read, or made, there",
            DefaultValueFactory = _ => "fleet-data",
        };
        var plugin = new Option<string?>("--plugin") { Description = "Path of mosquitto_dynamic_security.so (default: found in the usual library folders)" };
        var command = new Command("mosquitto-config", "Write the Mosquitto configuration that gives each device its own account and topics (use with serve --mqtt-broker)")
        {
            output, data, plugin,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(plugin) ?? MosquittoConfig.PluginPaths.FirstOrDefault(File.Exists);
            if (path is null || !File.Exists(path))
            {
                await Console.Error.WriteLineAsync(
                    $"error: mosquitto_dynamic_security.so not found ({path ?? string.Join(", ", MosquittoConfig.PluginPaths)}); install mosquitto 2.0 or later, or give --plugin");
                return 2;
            }

            try
            {
                var directory = result.GetRequiredValue(output);
                var wroteState = MosquittoConfig.Write(directory, MqttServerCredential.LoadOrCreate(result.GetRequiredValue(data)), path);
                await Console.Out.WriteLineAsync(MosquittoConfig.Describe(directory, wroteState));
                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
