using System.Diagnostics;
using System.Globalization;
using EdgeMl.Fleet.Cli;
using EdgeMl.Fleet.Security;
using EdgeMl.Protos.Fleet;
using Grpc.Core;

namespace EdgeMl.Fleet.Bench;

/// <summary>
/// The fleet at scale: N devices connected to a server in a child process; its memory per device, how long a
/// 100% rollout takes to reach every device, and how fast concurrent devices download a large bundle.
/// </summary>
internal sealed class FleetBenchmark(int devices, string modelDirectory, TimeSpan downloadDuration, int downloadClients, TextWriter progress)
{
    private const string BlobVersion = "bench-blob";
    // Kestrel refuses request bodies over 30,000,000 bytes by default, and the server does not raise that limit for
    // PushModel: a larger synthetic bundle could not be pushed.
    private const int BlobMegabytes = 64;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RolloutDeadline = TimeSpan.FromSeconds(120);

    private TimeSpan ConnectDeadline => TimeSpan.FromSeconds(60 + (devices / 50));

    public async Task<FleetBenchResult> RunAsync(CancellationToken cancellationToken)
    {
        var data = Directory.CreateTempSubdirectory("edgeml-bench-fleet-");
        try
        {
            await Step($"creating {devices} devices in {data.FullName}");
            await BenchDevices.SeedAsync(data.FullName, devices, cancellationToken);

            await Step("starting the fleet server");
            await using var server = await ServerUnderTest.StartAsync(data.FullName, cancellationToken);
            try
            {
                var package = await BenchPackage.ReadAsync(modelDirectory, cancellationToken);
                var model = await PushAsync(server.Admin, package, cancellationToken);
                var rssBefore = server.ResidentBytes();

                await Step($"connecting {devices} devices");
                await using var fleet = new SimulatedFleet(server.GrpcAddress, devices, SigningPublicKey(data.FullName));
                await fleet.ConnectAsync(ConnectDeadline, cancellationToken);
                await server.WaitStreamingAsync(devices, ConnectDeadline, cancellationToken);
                await Task.Delay(Settle, cancellationToken);
                var rssAfter = server.ResidentBytes();

                await Step($"rolling {model.Name}:{model.Version} out to 100%");
                var (rollout, phases) = await RollOutAsync(server, fleet, model, cancellationToken);
                await Step($"(first device {phases.First.TotalSeconds:F2} s, last {phases.Last.TotalSeconds:F2} s; processor seconds server / devices: " +
                    $"to the first {phases.ToFirst.Server.TotalSeconds:F2} / {phases.ToFirst.Devices.TotalSeconds:F2}, fan-out {phases.FanOut.Server.TotalSeconds:F2} / {phases.FanOut.Devices.TotalSeconds:F2}; load average {phases.LoadAverage:F2})");
                await server.Admin.ControlRolloutAsync(new ControlRolloutRequest { RolloutId = rollout, Action = "abort" }, cancellationToken: cancellationToken);

                await Step($"pushing a {BlobMegabytes} MB bundle and rolling it out");
                var blob = await PushAsync(server.Admin, BenchPackage.Synthetic(package, BlobVersion, BlobMegabytes), cancellationToken);
                var (_, blobPhases) = await RollOutAsync(server, fleet, blob, cancellationToken);
                await Step($"(the {blob.Name}:{blob.Version} rollout reached every device in {blobPhases.Last.TotalSeconds:F2} s)");

                await Step($"{downloadClients} devices downloading for {downloadDuration.TotalSeconds:F0} s");
                var bytes = await new DownloadLoad().RunAsync(server.GrpcAddress, blob.Name, blob.Version, downloadClients, downloadDuration, cancellationToken);
                return new FleetBenchResult
                {
                    Devices = devices,
                    SecondsToDesiredState = phases.Last.TotalSeconds,
                    SecondsToFirstDevice = phases.First.TotalSeconds,
                    ServerCpuSecondsToFirst = phases.ToFirst.Server.TotalSeconds,
                    ServerCpuSecondsFanOut = phases.FanOut.Server.TotalSeconds,
                    DevicesCpuSecondsFanOut = phases.FanOut.Devices.TotalSeconds,
                    LoadAverage = phases.LoadAverage,
                    ServerKbPerDevice = (rssAfter - rssBefore) / 1024.0 / devices,
                    DownloadMbPerSecond = bytes / (1024.0 * 1024.0) / downloadDuration.TotalSeconds,
                    ServerRssBeforeMb = rssBefore / (1024.0 * 1024.0),
                    ServerRssAfterMb = rssAfter / (1024.0 * 1024.0),
                    DownloadClients = downloadClients,
                    DownloadBundleMb = blob.BundleSize / (1024.0 * 1024.0),
                };
            }
            catch (RpcException e)
            {
                throw new InvalidOperationException($"the server answered {e.StatusCode}: {e.Status.Detail}; its last output:{Environment.NewLine}{server.OutputTail}", e);
            }
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    /// <summary>Starts a one-wave 100% rollout and waits until every device has a desired state naming the model.</summary>
    private async Task<(string Rollout, RolloutPhases Phases)> RollOutAsync(ServerUnderTest server, SimulatedFleet fleet, ModelInfo model, CancellationToken cancellationToken)
    {
        var start = Processors(server);
        var (first, all) = fleet.Arrivals.Expect(model.Version);
        var request = new StartRolloutRequest { Model = $"{model.Name}:{model.Version}", Selector = BenchDevices.Selector, BakeSeconds = 0, Mode = "canary" };
        request.Waves.Add("100%");
        var waiting = Stopwatch.StartNew();
        var call = server.Admin.StartRolloutAsync(request, cancellationToken: cancellationToken);
        try
        {
            // The first device has it once the rollout and its desired states are stored: up to there the server plans and
            // commits, past it the server signs and sends and the devices receive and verify.
            await first.WaitAsync(RolloutDeadline, cancellationToken);
            var stored = Processors(server);
            await all.WaitAsync(RolloutDeadline, cancellationToken);
            var end = Processors(server);
            var status = await call;
            var (firstDevice, lastDevice) = fleet.Arrivals.Elapsed();
            return (status.RolloutId, new RolloutPhases(firstDevice, lastDevice, stored - start, end - stored, LoadAverage()));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"rollout of {model.Version}: {fleet.Arrivals.Arrived} of {devices} devices have it after {waiting.Elapsed.TotalSeconds:F0} s; " +
                $"{fleet.Failed} streams failed, the first with: {fleet.FirstFailure ?? "-"}{Environment.NewLine}{server.OutputTail}");
        }
    }

    /// <summary>Processor time so far of the server and of this process, where the simulated devices run.</summary>
    private static CpuTimes Processors(ServerUnderTest server) => new(server.ProcessorTime(), Process.GetCurrentProcess().TotalProcessorTime);

    /// <summary>The key the server signs states with, from its data directory, as a device would have it.</summary>
    private static byte[] SigningPublicKey(string dataDirectory)
    {
        using var keys = FleetKeys.Load(dataDirectory);
        return keys.Signer.PublicKey;
    }

    /// <summary>The one-minute load average: what else ran on the machine's cores meanwhile.</summary>
    private static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>
    /// Where a rollout's seconds went: when the first and the last device had verified it, and the processor time of the
    /// server and of the simulated devices up to the first device (planning, storing) and from there to the last (fan-out).
    /// </summary>
    private sealed record RolloutPhases(TimeSpan First, TimeSpan Last, CpuTimes ToFirst, CpuTimes FanOut, double LoadAverage);

    private readonly record struct CpuTimes(TimeSpan Server, TimeSpan Devices)
    {
        public static CpuTimes operator -(CpuTimes a, CpuTimes b) => new(a.Server - b.Server, a.Devices - b.Devices);
    }

    private Task Step(string what) => progress.WriteLineAsync($"bench-fleet: {what}");

    private static async Task<ModelInfo> PushAsync(AdminService.AdminServiceClient admin, PushModelRequest package, CancellationToken cancellationToken)
    {
        using var model = new MemoryStream(package.ModelOnnx.ToByteArray(), writable: false);
        return await ModelUpload.PushAsync(admin, package.ManifestJson.Memory, model, cancellationToken);
    }
}
