using System.CommandLine;
using System.Text.RegularExpressions;
using EdgeMl.Fleet.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>serve</c>: runs the fleet server until stopped.</summary>
internal static partial class ServeCommand
{
    /// <summary>Reads the ports back from the line <c>serve</c> prints once it listens (tools that start it on port 0).</summary>
    [GeneratedRegex(@"^fleet server: gRPC https?://[^ ]+:(?<grpc>\d+), HTTP https?://[^ ]+:(?<http>\d+)/")]
    public static partial Regex ListeningLine();

    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Data directory: SQLite database, artifacts, keys, admin.token" };
        var grpcPort = new Option<int?>("--grpc-port") { Description = "gRPC (HTTP/2) port for devices and admin tools (default 7400; 0: any free port, printed at start)" };
        var httpPort = new Option<int?>("--http-port") { Description = "HTTP port for pages, JSON, /metrics and /healthz (default 7401)" };
        var mqttPort = new Option<int?>("--mqtt-port") { Description = "Port of the embedded MQTT broker (default 1883)" };
        var bind = new Option<string?>("--bind") { Description = "Address to listen on (default 127.0.0.1)" };
        var cert = new Option<string?>("--cert") { Description = "PEM certificate: TLS for gRPC, HTTP and MQTT" };
        var certKey = new Option<string?>("--cert-key") { Description = "PEM private key of --cert" };
        var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL connection string (default: SQLite in the data directory)" };
        var broker = new Option<string?>("--mqtt-broker") { Description = "External MQTT broker, mqtt://host:port, instead of the embedded one" };
        var ingestConnections = new Option<int?>("--mqtt-ingest-connections")
        {
            Description = "Connections each replica reads telemetry from --mqtt-broker over, in one share group (default 4)",
        };
        var command = new Command("serve", "Run the fleet server") { data, grpcPort, httpPort, mqttPort, bind, cert, certKey, postgres, broker, ingestConnections };
        command.SetAction(async (result, cancellationToken) =>
        {
            var flags = new Dictionary<string, string?>
            {
                [nameof(FleetServerOptions.DataDirectory)] = result.GetValue(data),
                [nameof(FleetServerOptions.GrpcPort)] = result.GetValue(grpcPort)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [nameof(FleetServerOptions.HttpPort)] = result.GetValue(httpPort)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [nameof(FleetServerOptions.MqttPort)] = result.GetValue(mqttPort)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [nameof(FleetServerOptions.Bind)] = result.GetValue(bind),
                [nameof(FleetServerOptions.CertificatePath)] = result.GetValue(cert),
                [nameof(FleetServerOptions.CertificateKeyPath)] = result.GetValue(certKey),
                [nameof(FleetServerOptions.Postgres)] = result.GetValue(postgres),
                [nameof(FleetServerOptions.MqttBroker)] = result.GetValue(broker),
                [nameof(FleetServerOptions.MqttIngestConnections)] = result.GetValue(ingestConnections)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            var options = new FleetServerOptions();
            new ConfigurationBuilder()
                .AddEnvironmentVariables("EDGEML_")
                .AddInMemoryCollection(flags.Where(f => f.Value is not null).Select(f => new KeyValuePair<string, string?>($"{FleetServerOptions.Section}:{f.Key}", f.Value)))
                .Build()
                .GetSection(FleetServerOptions.Section)
                .Bind(options);
            try
            {
                var app = await FleetServerHost.BuildAsync(options, cancellationToken: cancellationToken);
                await app.StartAsync(cancellationToken);
                var bound = app.Services.GetRequiredService<ListeningEndpoints>();
                var scheme = options.CertificatePath is null ? "http" : "https";
                await Console.Out.WriteLineAsync(
                    $"fleet server: gRPC {scheme}://{bound.Grpc}, HTTP {scheme}://{bound.Http}/, MQTT {(options.MqttBroker ?? $"{bound.Mqtt} (embedded)")}, data {Path.GetFullPath(options.DataDirectory)}");
                await app.WaitForShutdownAsync(cancellationToken);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or OptionsValidationException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
