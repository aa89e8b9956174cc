using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
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
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (options.Value.TrustedCertificate is { } trusted)
        {
            var root = X509CertificateLoader.LoadCertificateFromFile(trusted);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustedBy(root, certificate, errors);
        }

        _channel = GrpcChannel.ForAddress(options.Value.Server!, new GrpcChannelOptions { HttpHandler = handler, MaxReceiveMessageSize = 16 * 1024 * 1024 });
    }

    /// <summary>Accepts what the system trusts, or a chain that ends at the configured fleet certificate (name checks still apply).</summary>
    internal static bool TrustedBy(X509Certificate2 root, X509Certificate? presented, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var certificate = new X509Certificate2(presented);
        return chain.Build(certificate);
    }

    public DeviceService.DeviceServiceClient Anonymous => new(_channel);

    public DeviceService.DeviceServiceClient For(DeviceIdentity identity) => new(Authenticated(identity));

    /// <summary>The case service (uploads and verdicts) with the device's credentials.</summary>
    public CaseService.CaseServiceClient Cases(DeviceIdentity identity) => new(Authenticated(identity));

    private Grpc.Core.CallInvoker Authenticated(DeviceIdentity identity) => _channel.Intercept(metadata =>
    {
        metadata.Add("x-edgeml-device", identity.DeviceId);
        metadata.Add("authorization", "Bearer " + identity.Secret);
        return metadata;
    });

    public void Dispose() => _channel.Dispose();
}
