using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>A self-signed certificate for localhost written as PEM files, as a fleet's private CA would issue.</summary>
internal sealed class TestCertificate
{
    public TestCertificate(string directory)
    {
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        CertificatePath = Path.Combine(directory, "fleet.crt");
        KeyPath = Path.Combine(directory, "fleet.key");
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        Thumbprint = certificate.Thumbprint;
    }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    public string Thumbprint { get; }

    /// <summary>An HTTP handler that trusts exactly this certificate.</summary>
    public SocketsHttpHandler TrustingHandler() => new()
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && new X509Certificate2(presented).Thumbprint == Thumbprint },
    };
}
