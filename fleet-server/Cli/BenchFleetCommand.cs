using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EdgeMl.Fleet.Bench;
using Grpc.Core;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>bench-fleet</c>: memory per connected device, rollout fan-out time and download throughput of a server in a child process.</summary>
internal static class BenchFleetCommand
{
    public static Command Create()
    {
        var devices = new Option<int>("--devices") { Description = "Simulated devices, each with its own watch stream", Required = true };
        var model = new Option<string?>("--model") { Description = "Model package to roll out (default: models/crack-detector/v2 of the repository)" };
        var seconds = new Option<double>("--download-seconds") { Description = "Seconds the download measurement runs", DefaultValueFactory = _ => 5 };
        var clients = new Option<int>("--download-clients") { Description = "Devices downloading at the same time", DefaultValueFactory = _ => 8 };
        var json = new Option<string?>("--json") { Description = "Also write the figures to this JSON file" };
        var command = new Command("bench-fleet", "Measure the server with N simulated devices: memory per device, rollout time, download throughput")
        {
            devices, model, seconds, clients, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var count = result.GetValue(devices);
            var downloaders = result.GetValue(clients);
            if (count < 1 || downloaders < 1 || downloaders > count)
            {
                await Console.Error.WriteLineAsync("error: --devices must be at least 1 and --download-clients between 1 and --devices");
                return 2;
            }

            try
            {
                var benchmark = new FleetBenchmark(
                    count, result.GetValue(model) ?? DefaultModel(), TimeSpan.FromSeconds(result.GetValue(seconds)), downloaders, Console.Error);
                var figures = await benchmark.RunAsync(cancellationToken);
                await Console.Out.WriteAsync(Format(figures));
                if (result.GetValue(json) is { } path)
                {
                    if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
                    {
                        Directory.CreateDirectory(directory);
                    }

                    await File.WriteAllTextAsync(path, JsonSerializer.Serialize(figures, FleetBenchJson.Default.FleetBenchResult), cancellationToken);
                }

                return 0;
            }
            catch (Exception e) when (e is TimeoutException or FileNotFoundException or InvalidOperationException or RpcException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static string DefaultModel()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeMl.sln")))
            {
                return Path.Combine(dir.FullName, "models", "crack-detector", "v2");
            }
        }

        throw new FileNotFoundException("EdgeMl.sln is not above the program's folder, so there is no default model; pass --model <package dir>");
    }

    private static string Format(FleetBenchResult r) => string.Create(CultureInfo.InvariantCulture, $"""
        fleet server with {r.Devices} connected devices (KB and MB are 1024-based)
          seconds until every device has the rolled-out desired state  {r.SecondsToDesiredState,9:F2} s  (first device after {r.SecondsToFirstDevice:F2} s)
            server processor time until the first device (plan, store) {r.ServerCpuSecondsToFirst,9:F2} s
            processor time from first to last: server / devices        {r.ServerCpuSecondsFanOut,9:F2} s / {r.DevicesCpuSecondsFanOut:F2} s  (load average {r.LoadAverage:F2})
          server memory per connected device                           {r.ServerKbPerDevice,9:F1} KB
          download throughput, {r.DownloadClients} clients, {r.DownloadBundleMb:F0} MB bundle            {r.DownloadMbPerSecond,9:F1} MB/s
          server RSS before / after connecting                         {r.ServerRssBeforeMb:F1} MB / {r.ServerRssAfterMb:F1} MB

        """);
}
