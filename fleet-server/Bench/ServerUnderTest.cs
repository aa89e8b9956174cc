using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EdgeMl.Fleet.Cli;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Protos.Fleet;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace EdgeMl.Fleet.Bench;

/// <summary>
/// A fleet server in a child process on free loopback ports, so that its memory is measured alone; with the
/// admin client and the HTTP probes the benchmark needs. Disposing it kills the process, as does this process ending.
/// </summary>
internal sealed partial class ServerUnderTest : IAsyncDisposable
{
    private const int OutputLinesKept = 30;
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly Process _process;
    private int _httpPort;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly TaskCompletionSource<(int Grpc, int Http)> _ports = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GrpcChannel? _adminChannel;
    private bool _started;

    private ServerUnderTest(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
    }

    public string GrpcAddress { get; private set; } = "";

    public AdminService.AdminServiceClient Admin { get; private set; } = null!;

    /// <summary>The last lines the server printed, for error messages.</summary>
    public string OutputTail => string.Join(Environment.NewLine, _output);

    public static Task<ServerUnderTest> StartAsync(string dataDirectory, CancellationToken cancellationToken) =>
        StartAsync(dataDirectory, [], cancellationToken);

    /// <summary>Starts <c>serve</c> with <paramref name="flags"/> added (e.g. <c>--postgres</c>, <c>--mqtt-broker</c>, for one replica of several).</summary>
    public static async Task<ServerUnderTest> StartAsync(string dataDirectory, IEnumerable<string> flags, CancellationToken cancellationToken)
    {
        var server = new ServerUnderTest(new Process { StartInfo = ServeCommandLine(dataDirectory, flags) });
        try
        {
            AppDomain.CurrentDomain.ProcessExit += server.KillOnExit;
            server._started = server._process.Start();
            server._process.BeginOutputReadLine();
            server._process.BeginErrorReadLine();
            await server.WaitHealthyAsync(cancellationToken);
            server._http.DefaultRequestHeaders.Authorization = new("Bearer", (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "metrics.token"), cancellationToken)).Trim());
            var token = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin.token"), cancellationToken)).Trim();
            server.ConnectAdmin(token);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The server's resident memory (VmRSS) in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{_process.Id}/status has no VmRSS line; the server process is gone");
    }

    /// <summary>The processor time (user and system) the server has used so far.</summary>
    public TimeSpan ProcessorTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Polls /metrics until <c>edgeml_devices_streams</c> (desired-state streams) reaches <paramref name="count"/>.</summary>
    public async Task WaitStreamingAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var streaming = await GaugeAsync("edgeml_devices_streams", cancellationToken);
        while (streaming != count)
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"after {timeout.TotalSeconds:F0} s the server counts {streaming} of {count} devices streaming");
            }

            await Task.Delay(PollInterval * 5, cancellationToken);
            streaming = await GaugeAsync("edgeml_devices_streams", cancellationToken);
        }
    }

    /// <summary>A gauge's value on /metrics now.</summary>
    public async Task<int> GaugeAsync(string name, CancellationToken cancellationToken)
    {
        var metrics = await _http.GetStringAsync(new Uri($"http://127.0.0.1:{_httpPort}/metrics"), cancellationToken);
        var sample = Regex.Match(metrics, $@"^{Regex.Escape(name)}(\{{[^}}]*\}})? (?<value>\S+)", RegexOptions.Multiline);
        return sample.Success
            ? (int)double.Parse(sample.Groups["value"].ValueSpan, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"/metrics has no {name} gauge");
    }


    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the fleet server exited with code {_process.ExitCode} before it was healthy:{Environment.NewLine}{OutputTail}");
            }

            // The ports are the OS's choice (port 0), known once the server prints them.
            if (_ports.Task.IsCompleted)
            {
                var (grpc, http) = await _ports.Task;
                GrpcAddress = $"http://127.0.0.1:{grpc}";
                _httpPort = http;
                using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{_httpPort}/healthz"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }

            if (deadline.Elapsed > StartDeadline)
            {
                throw new TimeoutException($"the fleet server was not healthy within {StartDeadline.TotalSeconds:F0} s:{Environment.NewLine}{OutputTail}");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private void ConnectAdmin(string token)
    {
        _adminChannel = GrpcChannel.ForAddress(GrpcAddress, new GrpcChannelOptions { MaxSendMessageSize = 600 * 1024 * 1024 });
        Admin = new AdminService.AdminServiceClient(_adminChannel.Intercept(metadata =>
        {
            metadata.Add("authorization", "Bearer " + token);
            return metadata;
        }));
    }

    // The server runs as this very program: `dotnet fleet-server.dll serve` under the dotnet host, or the app host itself.
    private static ProcessStartInfo ServeCommandLine(string dataDirectory, IEnumerable<string> flags)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(FleetServerHost).Assembly.Location);
        }

        foreach (var argument in new[] { "serve", "--data", dataDirectory, "--bind", "127.0.0.1" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var flag in new[] { "--grpc-port", "--http-port", "--mqtt-port" })
        {
            start.ArgumentList.Add(flag);
            start.ArgumentList.Add("0");
        }

        foreach (var flag in flags)
        {
            start.ArgumentList.Add(flag);
        }

        return start;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (ServeCommand.ListeningLine().Match(line) is { Success: true } listening)
        {
            _ports.TrySetResult((int.Parse(listening.Groups["grpc"].ValueSpan, CultureInfo.InvariantCulture), int.Parse(listening.Groups["http"].ValueSpan, CultureInfo.InvariantCulture)));
        }

        _output.Enqueue(line);
        while (_output.Count > OutputLinesKept)
        {
            _output.TryDequeue(out _);
        }
    }

    private void KillOnExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        if (_started && !_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Kills the server (SIGKILL: no shutdown, no goodbye to the database) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        Kill();
        if (_started)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        _adminChannel?.Dispose();
        _http.Dispose();
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }
}
