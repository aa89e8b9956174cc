using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EdgeMl.Fleet.Bench;
using EdgeMl.Fleet.Hosting;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>bench-telemetry</c>: aggregates stored per second through the embedded broker or an external one, none lost.</summary>
internal static class BenchTelemetryCommand
{
    public static Command Create()
    {
        var devices = new Option<int>("--devices") { Description = "Simulated devices, each with its own MQTT connection", DefaultValueFactory = _ => 1000 };
        var aggregates = new Option<int>("--aggregates") { Description = "Aggregates each device publishes", DefaultValueFactory = _ => 120 };
        var data = new Option<string?>("--data") { Description = "Data directory of the server (default: a new temporary one); with --mqtt-broker, the one mosquitto-config was run with" };
        var broker = new Option<string?>("--mqtt-broker") { Description = "External broker (mqtt://host:port) configured by mosquitto-config, instead of the embedded one" };
        var connections = new Option<int>("--mqtt-ingest-connections")
        {
            Description = "Connections the server reads the external broker over (as serve's flag)", DefaultValueFactory = _ => new FleetServerOptions().MqttIngestConnections,
        };
        var brokerPid = new Option<int?>("--broker-pid") { Description = "Process id of the external broker, when it runs on this machine: its CPU per aggregate is printed too" };
        var command = new Command("bench-telemetry", "Measure telemetry ingestion: simulated devices publish aggregates, the server stores them; prints aggregates stored per second")
        {
            devices, aggregates, data, broker, connections, brokerPid,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.GetValue(devices) < 1 || result.GetValue(aggregates) < 1)
            {
                await Console.Error.WriteLineAsync("error: --devices and --aggregates must be at least 1");
                return 2;
            }

            var directory = result.GetValue(data) ?? Directory.CreateTempSubdirectory("edgeml-bench-telemetry-").FullName;
            var options = new FleetServerOptions
            {
                DataDirectory = directory, GrpcPort = 0, HttpPort = 0, MqttPort = 0, MqttBroker = result.GetValue(broker), MqttIngestConnections = result.GetValue(connections),
            };
            if (options.Validate().FirstOrDefault() is { } problem)
            {
                await Console.Error.WriteLineAsync($"error: {problem}");
                return 2;
            }

            Process? brokerProcess = null;
            try
            {
                brokerProcess = result.GetValue(brokerPid) is { } pid ? Process.GetProcessById(pid) : null;
            }
            catch (ArgumentException)
            {
                await Console.Error.WriteLineAsync($"error: --broker-pid {result.GetValue(brokerPid)}: no such process");
                return 2;
            }

            try
            {
                using var watched = brokerProcess;
                var measured = await new TelemetryBenchmark(options, result.GetValue(devices), result.GetValue(aggregates), Console.Error, brokerProcess).RunAsync(cancellationToken);
                await Console.Out.WriteLineAsync(measured.BrokerAlone.ToString());
                await Console.Out.WriteLineAsync(measured.StoreAlone.ToString());
                await Console.Out.WriteLineAsync(measured.Stored.ToString());
                return measured.Stored.Done == measured.Stored.Expected ? 0 : 1;
            }
            catch (Exception e) when (e is InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
