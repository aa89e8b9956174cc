using System.Text.RegularExpressions;
using EdgeMl.Fleet.Cli;
using EdgeMl.Protos.Fleet;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace EdgeMl.Fleet.Tests.Faults;

/// <summary>A fleet server in a child process, so that a test can kill it -9 and start it again on the same data and ports.</summary>
internal sealed partial class ServerProcess : IDisposable
{
    private readonly string _data;
    private ChildProcess? _process;
    private GrpcChannel? _channel;

    private ServerProcess(string data) => _data = data;

    public int GrpcPort { get; private set; }

    public int HttpPort { get; private set; }

    public int MqttPort { get; private set; }

    public string GrpcAddress => $"http://127.0.0.1:{GrpcPort}";

    public AdminService.AdminServiceClient Admin { get; private set; } = null!;

    public static async Task<ServerProcess> StartAsync(string data)
    {
        var server = new ServerProcess(data);
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts the server: on free ports the first time, on the same ones after a kill.</summary>
    public async Task StartAsync()
    {
        _process = ChildProcess.Start(
            "fleet-server", "serve", "--data", _data, "--grpc-port", $"{GrpcPort}", "--http-port", $"{HttpPort}", "--mqtt-port", $"{MqttPort}");
        var line = await _process.WaitForLineAsync(l => ServeCommand.ListeningLine().IsMatch(l), TimeSpan.FromSeconds(90), "the server to listen");
        var ports = ServeCommand.ListeningLine().Match(line);
        GrpcPort = int.Parse(ports.Groups["grpc"].Value, System.Globalization.CultureInfo.InvariantCulture);
        HttpPort = int.Parse(ports.Groups["http"].Value, System.Globalization.CultureInfo.InvariantCulture);
        MqttPort = int.Parse(MqttPortIn().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var token = (await File.ReadAllTextAsync(Path.Combine(_data, "admin.token"))).Trim();
        _channel?.Dispose();
        _channel = GrpcChannel.ForAddress(GrpcAddress);
        Admin = new AdminService.AdminServiceClient(_channel.Intercept(m =>
        {
            m.Add("authorization", "Bearer " + token);
            return m;
        }));
    }

    /// <summary>SIGKILL: no shutdown, no flush; whatever a transaction had not committed is gone.</summary>
    public void Kill() => _process?.Kill();

    public void Dispose()
    {
        _channel?.Dispose();
        _process?.Dispose();
    }

    [GeneratedRegex(@"MQTT [^ ]*:(\d+) \(embedded\)")]
    private static partial Regex MqttPortIn();
}
