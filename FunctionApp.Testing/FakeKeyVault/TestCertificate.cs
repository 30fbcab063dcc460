using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>A throwaway self-signed server certificate for loopback HTTPS servers in tests.</summary>
public static class TestCertificate
{
    public static X509Certificate2 Create(params string[] dnsNames)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + dnsNames[0], key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));

        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));

        // Round-trip through PKCS#12 so Kestrel gets a certificate whose private key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>Accepts exactly <paramref name="certificate"/>, for in-process clients that must not trust anything else.</summary>
    public static RemoteCertificateValidationCallback Pinned(X509Certificate2 certificate)
    {
        var thumbprint = certificate.Thumbprint;
        return (_, presented, _, _) => presented?.GetCertHashString() == thumbprint;
    }
}
