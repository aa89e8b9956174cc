using EdgeMl.Protos.Fleet;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Sync;

/// <summary>One HTTP/2 channel to the fleet server; device calls carry the device's id and secret.</summary>
public sealed class FleetConnection : IDisposable
{
    private readonly GrpcChannel _channel;

    public FleetConnection(IOptions<AgentOptions> options)
    {
        _channel = GrpcChannel.ForAddress(options.Value.Server!, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = TimeSpan.FromSeconds(20),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
            MaxReceiveMessageSize = 16 * 1024 * 1024,
        });
    }

    public DeviceService.DeviceServiceClient Anonymous => new(_channel);

    public DeviceService.DeviceServiceClient For(DeviceIdentity identity) => new(_channel.Intercept(metadata =>
    {
        metadata.Add("x-edgeml-device", identity.DeviceId);
        metadata.Add("authorization", "Bearer " + identity.Secret);
        return metadata;
    }));

    public void Dispose() => _channel.Dispose();
}
