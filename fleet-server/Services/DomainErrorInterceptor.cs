using EdgeMl.Fleet.Devices;
using EdgeMl.Fleet.Registry;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace EdgeMl.Fleet.Services;

/// <summary>Maps domain failures to gRPC status codes in one place, so services just throw.</summary>
internal sealed class DomainErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Map(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (Map(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when ((DeviceAuthenticator.RevokedDuring(context) ?? Map(e)) is { } status)
        {
            // Whatever a revoked device's stream was waiting on failed because of the revocation: that is what the device learns.
            throw new RpcException(status);
        }
    }

    private static Status? Map(Exception e) => e switch
    {
        RegistryException { Kind: RegistryException.Reason.Invalid } => new Status(StatusCode.InvalidArgument, e.Message),
        RegistryException { Kind: RegistryException.Reason.Conflict } => new Status(StatusCode.AlreadyExists, e.Message),
        RegistryException { Kind: RegistryException.Reason.NotFound } => new Status(StatusCode.NotFound, e.Message),
        ArgumentException => new Status(StatusCode.InvalidArgument, e.Message),
        KeyNotFoundException => new Status(StatusCode.NotFound, e.Message),
        InvalidOperationException => new Status(StatusCode.FailedPrecondition, e.Message),
        _ => null,
    };
}
