using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>
/// Debian's Mosquitto, run by the tests on a free loopback port with the configuration <c>fleet-server mosquitto-config</c>
/// writes (included with <c>include_dir</c>, as an admin would), beside a fleet data directory whose server account it knows.
/// </summary>
public sealed class MosquittoBroker : IAsyncLifetime
{
    private const string Program = "/usr/sbin/mosquitto";
    private const int PortAttempts = 5;
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(20);

    private readonly StringBuilder _log = new();
    private string? _root;
    private string? _config;
    private Process? _process;

    public int Port { get; private set; }

    /// <summary>The fleet data directory the broker's configuration was made from.</summary>
    public string DataDirectory => Path.Combine(_root!, "fleet-data");

    public string Address => $"mqtt://127.0.0.1:{Port}";

    /// <summary>What the broker logged, for a failing test's message.</summary>
    public string Output => Log();

    public async Task InitializeAsync()
    {
        if (!File.Exists(Program))
        {
            throw new InvalidOperationException($"Mosquitto is not installed ({Program} is missing). Install it with `apt-get install mosquitto` (CI does) to run the Mosquitto tests.");
        }

        _root = Directory.CreateTempSubdirectory("edgeml-mosquitto-").FullName;
        var include = Path.Combine(_root, "mosquitto.d");
        var written = await FleetCli.RunAsync(["mosquitto-config", "--out", include, "--data", DataDirectory]);
        if (written.ExitCode != 0)
        {
            throw new InvalidOperationException($"mosquitto-config exited with {written.ExitCode}: {written.Output}{written.Error}");
        }

        // Mosquitto cannot bind port 0 and report it, so take one the OS just freed and try another if it is gone.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Next();
            var config = Path.Combine(_root, "mosquitto.conf");
            await File.WriteAllTextAsync(config, string.Join('\n',
                $"listener {Port} 127.0.0.1",
                // Run as whoever runs the tests: as root, Mosquitto would switch to an account that cannot write the plugin's state.
                $"user {Environment.UserName}",
                "persistence false",
                "log_dest stderr",
                $"include_dir {include}",
                ""));
            _config = config;
            if (await StartAsync(config) || attempt == PortAttempts)
            {
                break;
            }
        }

        if (_process is null)
        {
            throw new InvalidOperationException($"Mosquitto did not start in {PortAttempts} attempts. Its log:\n{Log()}");
        }
    }

    /// <summary>SIGKILL, as a crashed broker host: clients lose their connections and nothing is flushed.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Starts the broker again on its port with its configuration (the dynamic-security plugin's accounts are on disk).</summary>
    public async Task RestartAsync()
    {
        _process?.Dispose();
        _process = null;
        if (!await StartAsync(_config!))
        {
            throw new InvalidOperationException($"Mosquitto did not start again on port {Port}. Its log:\n{Log()}");
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        if (_root is not null)
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>True once the broker accepts connections; false when it exited (its port taken).</summary>
    private async Task<bool> StartAsync(string config)
    {
        var start = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(config);
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartDeadline)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                process.Dispose();
                return false;
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                _process = process;
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        process.Kill();
        process.Dispose();
        throw new InvalidOperationException($"Mosquitto did not accept connections within {StartDeadline.TotalSeconds} s. Its log:\n{Log()}");
    }

    private void Append(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }
}
