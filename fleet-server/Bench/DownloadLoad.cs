using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Grpc.Net.Client;

namespace EdgeMl.Fleet.Bench;

/// <summary>Concurrent devices downloading one bundle again and again, each over its own connection; counts the bytes.</summary>
internal sealed class DownloadLoad
{
    // As the agent allows (FleetConnection): chunks may be larger than gRPC's 4 MB default.
    private const int MaxMessageBytes = 16 * 1024 * 1024;

    private long _bytes;

    /// <summary>Runs <paramref name="clients"/> downloaders; returns the bytes received in the first <paramref name="duration"/>.</summary>
    public async Task<long> RunAsync(string address, string name, string version, int clients, TimeSpan duration, CancellationToken cancellationToken)
    {
        var channels = Enumerable.Range(0, clients)
            .Select(_ => GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = MaxMessageBytes }))
            .ToList();
        using var stop = new CancellationTokenSource();
        var downloads = channels.Select((channel, device) => DownloadUntilStoppedAsync(channel, device, name, version, stop.Token)).ToList();
        try
        {
            // The count is read at the deadline: the time it takes the downloads to wind down is no part of it.
            await Task.Delay(duration, cancellationToken);
            return Interlocked.Read(ref _bytes);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(downloads);
            channels.ForEach(c => c.Dispose());
        }
    }

    private async Task DownloadUntilStoppedAsync(GrpcChannel channel, int device, string name, string version, CancellationToken stop)
    {
        var client = new DeviceService.DeviceServiceClient(channel);
        var headers = new Metadata { { "x-edgeml-device", BenchDevices.Id(device) }, { "authorization", "Bearer " + BenchDevices.Secret(device) } };
        var request = new DownloadModelRequest { Name = name, Version = version };
        try
        {
            while (!stop.IsCancellationRequested)
            {
                using var call = client.DownloadModel(request, headers, cancellationToken: stop);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(stop))
                {
                    Interlocked.Add(ref _bytes, chunk.Data.Length);
                }
            }
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is RpcException or OperationCanceledException)
        {
            // Time is up.
        }
    }
}
