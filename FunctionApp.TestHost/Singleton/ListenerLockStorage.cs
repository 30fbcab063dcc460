using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace FunctionApp.TestHost.Singleton;

/// <summary>
/// Chooses where the listener locks live from the host's settings, as the host resolves <c>AzureWebJobsStorage</c>:
/// <list type="bullet">
/// <item>a connection string (<c>AzureWebJobsStorage</c>, e.g. <c>UseDevelopmentStorage=true</c> for Azurite);</item>
/// <item>an identity-based connection (<c>AzureWebJobsStorage__blobServiceUri</c>, or <c>__accountName</c> for the public
/// cloud, with <c>__credential=managedidentity</c> and optionally <c>__clientId</c>), whose tokens come from the App Service
/// managed identity endpoint named by <c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c> in the same settings;</item>
/// <item>neither: locks in memory, so this instance runs every timer.</item>
/// </list>
/// The host's settings are its process environment, which its worker inherits; the test host's are the worker's
/// environment (<see cref="HostSettings.WorkerEnvironment"/>), so it reads them there, certificates included: a PEM file in
/// <c>SSL_CERT_FILE</c> is trusted beside the system's roots, as OpenSSL trusts it in a process started with it. No proxy
/// is used.
/// </summary>
internal static class ListenerLockStorage
{
    private const string Connection = "AzureWebJobsStorage";

    /// <exception cref="InvalidOperationException">An identity-based connection this host cannot sign in with, naming the setting.</exception>
    public static IListenerLockManager Create(IReadOnlyDictionary<string, string> settings)
    {
        var options = new BlobClientOptions { Transport = Transport(Value(settings, "SSL_CERT_FILE")), Retry = { MaxRetries = 2, NetworkTimeout = TimeSpan.FromSeconds(10) } };
        if (Value(settings, Connection) is { } connectionString)
        {
            return Locks(new BlobServiceClient(connectionString, options));
        }

        var serviceUri = Value(settings, $"{Connection}__blobServiceUri") ?? Value(settings, $"{Connection}__serviceUri")
            ?? (Value(settings, $"{Connection}__accountName") is { } account ? $"https://{account}.blob.core.windows.net" : null);
        if (serviceUri is null)
        {
            return new InMemoryListenerLockManager();
        }

        if (!string.Equals(Value(settings, $"{Connection}__credential"), "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{Connection}__credential: the test host signs in to an identity-based {Connection} with a managed identity only; set it to managedidentity, or give {Connection} a connection string.");
        }

        if (Value(settings, "IDENTITY_ENDPOINT") is not { } endpoint || Value(settings, "IDENTITY_HEADER") is not { } header || !Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri))
        {
            throw new InvalidOperationException($"{Connection}__credential=managedidentity needs IDENTITY_ENDPOINT (an absolute URI) and IDENTITY_HEADER, as App Service sets them; give {Connection} a connection string to run elsewhere.");
        }

        var credential = new ManagedIdentityEndpointCredential(endpointUri, header, Value(settings, $"{Connection}__clientId"));
        return Locks(new BlobServiceClient(new Uri(serviceUri), credential, options));
    }

    private static BlobLeaseListenerLockManager Locks(BlobServiceClient service) =>
        new(service.GetBlobContainerClient(BlobLeaseListenerLockManager.ContainerName));

    private static HttpClientTransport Transport(string? certificateFile)
    {
        var handler = new SocketsHttpHandler { UseProxy = false };
        if (certificateFile is not null && File.Exists(certificateFile))
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(certificateFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        return new HttpClientTransport(handler);
    }

    private static string? Value(IReadOnlyDictionary<string, string> settings, string name) =>
        settings.FirstOrDefault(e => e.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } value ? value : null;
}
