using System.Diagnostics;
using EdgeMl.Fleet.Cli;
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
                await using var fleet = new SimulatedFleet(server.GrpcAddress, devices);
                await fleet.ConnectAsync(ConnectDeadline, cancellationToken);
                await server.WaitOnlineAsync(devices, ConnectDeadline, cancellationToken);
                await Task.Delay(Settle, cancellationToken);
                var rssAfter = server.ResidentBytes();

                await Step($"rolling {model.Name}:{model.Version} out to 100%");
                var (rollout, first, last) = await RollOutAsync(server, fleet, model, cancellationToken);
                await server.Admin.ControlRolloutAsync(new ControlRolloutRequest { RolloutId = rollout, Action = "abort" }, cancellationToken: cancellationToken);

                await Step($"pushing a {BlobMegabytes} MB bundle and rolling it out");
                var blob = await PushAsync(server.Admin, BenchPackage.Synthetic(package, BlobVersion, BlobMegabytes), cancellationToken);
                var (_, _, blobLast) = await RollOutAsync(server, fleet, blob, cancellationToken);
                await Step($"(the {blob.Name}:{blob.Version} rollout reached every device in {blobLast.TotalSeconds:F2} s)");

                await Step($"{downloadClients} devices downloading for {downloadDuration.TotalSeconds:F0} s");
                var bytes = await new DownloadLoad().RunAsync(server.GrpcAddress, blob.Name, blob.Version, downloadClients, downloadDuration, cancellationToken);
                return new FleetBenchResult
                {
                    Devices = devices,
                    SecondsToDesiredState = last.TotalSeconds,
                    SecondsToFirstDevice = first.TotalSeconds,
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
    private async Task<(string Rollout, TimeSpan First, TimeSpan Last)> RollOutAsync(ServerUnderTest server, SimulatedFleet fleet, ModelInfo model, CancellationToken cancellationToken)
    {
        var all = fleet.Arrivals.Expect(model.Version);
        var request = new StartRolloutRequest { Model = $"{model.Name}:{model.Version}", Selector = BenchDevices.Selector, BakeSeconds = 0, Mode = "canary" };
        request.Waves.Add("100%");
        var status = await server.Admin.StartRolloutAsync(request, cancellationToken: cancellationToken);
        var waiting = Stopwatch.StartNew();
        try
        {
            await all.WaitAsync(RolloutDeadline, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"rollout {status.RolloutId}: {fleet.Arrivals.Arrived} of {devices} devices have {model.Version} after {waiting.Elapsed.TotalSeconds:F0} s; " +
                $"{fleet.Failed} streams failed, the first with: {fleet.FirstFailure ?? "-"}{Environment.NewLine}{server.OutputTail}");
        }

        var (first, last) = fleet.Arrivals.Elapsed();
        return (status.RolloutId, first, last);
    }

    private Task Step(string what) => progress.WriteLineAsync($"bench-fleet: {what}");

    private static async Task<ModelInfo> PushAsync(AdminService.AdminServiceClient admin, PushModelRequest package, CancellationToken cancellationToken)
    {
        using var model = new MemoryStream(package.ModelOnnx.ToByteArray(), writable: false);
        return await ModelUpload.PushAsync(admin, package.ManifestJson.Memory, model, cancellationToken);
    }
}
