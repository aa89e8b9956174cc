using System.Net.Security;
using System.Net.Sockets;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Tests.Sync;

public sealed class TlsTests
{
    [Fact]
    public async Task With_a_certificate_agents_sync_over_tls_and_every_port_speaks_tls()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-tls-" + Guid.NewGuid().ToString("N")[..10]);
        var certificate = new TestCertificate(Path.Combine(root, "pki"));
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"), tls: certificate);
        await fleet.PushAsync(RepoPaths.Package("v1"));
        await using var agent = new TestAgent(fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=a", certificate.CertificatePath);
        await agent.StartAsync();

        var request = new StartRolloutRequest { Model = "crack-detector:v1", Mode = "canary" };
        request.Waves.Add("100%");
        var rollout = await fleet.Admin.StartRolloutAsync(request);
        await fleet.WaitForRolloutAsync(rollout.RolloutId, "completed");

        Assert.Equal("crack-detector:v1", agent.ActiveModel);
        using var http = new HttpClient(certificate.TrustingHandler());
        Assert.Equal("ok", await http.GetStringAsync($"https://localhost:{fleet.Options.HttpPort}/healthz"));
        Assert.True(await HandshakeAsync(fleet.Options.MqttPort, certificate.Thumbprint), "the MQTT port did not present the fleet certificate over TLS");
        Directory.Delete(root, recursive: true);
    }

    /// <summary>Completes a TLS handshake with the MQTT port, accepting only the fleet certificate.</summary>
    private static async Task<bool> HandshakeAsync(int port, string thumbprint)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(client.GetStream(), false, (_, presented, _, _) =>
            presented is not null && new System.Security.Cryptography.X509Certificates.X509Certificate2(presented).Thumbprint == thumbprint);
        await tls.AuthenticateAsClientAsync("localhost");
        return tls.IsAuthenticated && tls.IsEncrypted;
    }
}
