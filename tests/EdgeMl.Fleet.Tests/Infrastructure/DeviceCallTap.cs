using System.Collections.Concurrent;
using EdgeMl.Protos.Fleet;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>
/// A server interceptor that records every status report a device sends and paces model downloads
/// chunk by chunk: a server that holds a download open, stalls or trickles, on real sockets.
/// </summary>
internal sealed class DeviceCallTap : Interceptor
{
    private readonly ConcurrentQueue<StatusReport> _reports = new();
    private int _downloads;

    /// <summary>Awaited before each chunk is sent: (request, 1-based download call, 0-based chunk, call's cancellation).</summary>
    public Func<DownloadModelRequest, int, int, CancellationToken, Task>? Pace { get; set; }

    public IReadOnlyList<StatusReport> Reports => [.. _reports];

    public int Downloads => Volatile.Read(ref _downloads);

    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton(this);
        services.Configure<GrpcServiceOptions>(o => o.Interceptors.Add<DeviceCallTap>());
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var response = await continuation(request, context);
        if (request is StatusReport report)
        {
            _reports.Enqueue(report);
        }

        return response;
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (request is not DownloadModelRequest download)
        {
            return continuation(request, responseStream, context);
        }

        var call = Interlocked.Increment(ref _downloads);
        return continuation(request, new PacedWriter<TResponse>(responseStream, chunk => Pace?.Invoke(download, call, chunk, context.CancellationToken) ?? Task.CompletedTask), context);
    }

    private sealed class PacedWriter<T>(IServerStreamWriter<T> inner, Func<int, Task> pace) : IServerStreamWriter<T>
    {
        private int _chunks;

        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            await pace(_chunks++);
            await inner.WriteAsync(message, cancellationToken);
        }
    }
}
