using System.Globalization;
using FunctionApp.Testing.Storage;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// Everything an unchanged FunctionApp needs to reach "Azure" as it would in Azure, on loopback: the fake vault, a
/// CONNECT proxy that routes <c>myvault.vault.azure.net:443</c> to it, a managed identity endpoint, optionally Azurite
/// as the app's storage account, and their certificates in one file for <c>SSL_CERT_FILE</c>.
/// <see cref="WorkerEnvironment"/> and <see cref="StorageSettings"/> give the worker's environment variables that point
/// the app at them.
/// </summary>
public sealed class FakeAzureEnvironment : IAsyncDisposable
{
    private FakeAzureEnvironment(FakeKeyVaultServer vault, ConnectProxy proxy, FakeManagedIdentityEndpoint identity, AzuriteServer? storage, string certificateFile)
    {
        Vault = vault;
        Proxy = proxy;
        Identity = identity;
        Storage = storage;
        CertificateFile = certificateFile;
    }

    public FakeKeyVaultServer Vault { get; }

    public ConnectProxy Proxy { get; }

    public FakeManagedIdentityEndpoint Identity { get; }

    /// <summary>Azurite, when started with <c>withStorage: true</c>.</summary>
    public AzuriteServer? Storage { get; }

    /// <summary>A PEM file with the certificates of the vault and of Azurite (when started).</summary>
    public string CertificateFile { get; }

    /// <param name="withStorage">Also start Azurite (about a second) as the app's storage account.</param>
    public static async Task<FakeAzureEnvironment> StartAsync(bool withStorage = false)
    {
        var vault = await FakeKeyVaultServer.StartAsync();
        var proxy = new ConnectProxy("myvault.vault.azure.net:443", vault.Port);
        var identity = await FakeManagedIdentityEndpoint.StartAsync(vault.AccessToken);
        AzuriteServer? storage = null;
        try
        {
            storage = withStorage ? await AzuriteServer.StartAsync() : null;
        }
        catch
        {
            await identity.DisposeAsync();
            await proxy.DisposeAsync();
            await vault.DisposeAsync();
            throw;
        }

        var certificateFile = Path.Combine(Path.GetTempPath(), $"fake-azure-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(certificateFile, vault.Certificate.ExportCertificatePem() + "\n" + storage?.Certificate.ExportCertificatePem());
        return new FakeAzureEnvironment(vault, proxy, identity, storage, certificateFile);
    }

    /// <summary>
    /// The app settings of docs/key-vault.md (vault URI, managed identity) plus what Azure itself provides
    /// (<see cref="PlatformEnvironment"/>), routed to the fakes.
    /// </summary>
    public Dictionary<string, string?> WorkerEnvironment(TimeSpan refreshInterval)
    {
        var environment = PlatformEnvironment();
        environment["ApiKeys__Keys__local-dev"] = null;
        environment["ApiKeys__KeyVaultUri"] = "https://myvault.vault.azure.net/";
        environment["ApiKeys__Credential"] = "managedidentity";
        environment["ApiKeys__RefreshInterval"] = refreshInterval.ToString("c", CultureInfo.InvariantCulture);
        environment["ApiKeys__RefreshJitter"] = "00:00:00";
        environment["ApiKeys__FirstLoadTimeout"] = "00:00:02";
        environment["ApiKeys__KeyVaultClient__Retry__MaxRetries"] = "1";
        environment["ApiKeys__KeyVaultClient__Retry__Delay"] = "00:00:00.050";
        environment["ApiKeys__KeyVaultClient__Retry__MaxDelay"] = "00:00:00.100";
        return environment;
    }

    /// <summary>
    /// <see cref="WorkerEnvironment"/> plus the settings of docs/shared-ring.md: keys from the shared ring in this
    /// Azurite (identity-based <c>AzureWebJobsStorage</c>), checked with <paramref name="signer"/>'s public key, published
    /// on <paramref name="publishSchedule"/> and polled every half second.
    /// </summary>
    public Dictionary<string, string?> SharedRingEnvironment(TimeSpan refreshInterval, System.Security.Cryptography.ECDsa signer, string publishSchedule)
    {
        var environment = WorkerEnvironment(refreshInterval);
        foreach (var (name, value) in StorageSettings())
        {
            environment[name] = value;
        }

        environment["ApiKeys__KeySource"] = "sharedring";
        environment["ApiKeys__RingVerificationKeys"] = Convert.ToBase64String(signer.ExportSubjectPublicKeyInfo());
        environment["ApiKeys__PublishSchedule"] = publishSchedule;
        environment["ApiKeys__RingPollInterval"] = "00:00:00.5";
        return environment;
    }

    /// <summary>
    /// What Azure gives every function app, routed to the fakes: the managed identity endpoint
    /// (<c>IDENTITY_ENDPOINT</c>, <c>IDENTITY_HEADER</c>), the proxy for the vault's host name, and trust in the fakes'
    /// certificates. Loopback bypasses the proxy (<c>NO_PROXY</c>): the identity endpoint and Azurite are addressed
    /// as 127.0.0.1, and the proxy tunnels nothing but the vault.
    /// </summary>
    public Dictionary<string, string?> PlatformEnvironment() => new()
    {
        ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production",
        ["IDENTITY_ENDPOINT"] = Identity.Endpoint.ToString(),
        ["IDENTITY_HEADER"] = Identity.IdentityHeader,
        ["HTTPS_PROXY"] = Proxy.Address.ToString(),
        ["NO_PROXY"] = "127.0.0.1,localhost",
        ["SSL_CERT_FILE"] = CertificateFile,
        ["SSL_CERT_DIR"] = Path.Combine(Path.GetTempPath(), "no-such-certificate-directory"),
    };

    /// <summary>
    /// The app settings of an identity-based storage connection to Azurite, as they are set in Azure
    /// (<c>{connection}__blobServiceUri</c>, <c>__queueServiceUri</c>, <c>__tableServiceUri</c>,
    /// <c>__credential=managedidentity</c>, and <c>__clientId</c> for a user-assigned identity). The connection's own
    /// value is removed, so <c>UseDevelopmentStorage=true</c> from local.settings.json cannot win.
    /// </summary>
    /// <param name="connection">The connection name: <c>AzureWebJobsStorage</c>, or a named connection.</param>
    /// <param name="clientId">The client id of a user-assigned identity; null for the system-assigned one.</param>
    public Dictionary<string, string?> StorageSettings(string connection = "AzureWebJobsStorage", string? clientId = null)
    {
        var storage = Storage ?? throw new InvalidOperationException("Start the environment with withStorage: true to get storage settings.");
        var settings = new Dictionary<string, string?>
        {
            [connection] = null,
            [$"{connection}__blobServiceUri"] = storage.BlobServiceUri.ToString(),
            [$"{connection}__queueServiceUri"] = storage.QueueServiceUri.ToString(),
            [$"{connection}__tableServiceUri"] = storage.TableServiceUri.ToString(),
            [$"{connection}__credential"] = "managedidentity",
        };
        if (clientId is not null)
        {
            settings[$"{connection}__clientId"] = clientId;
        }

        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Identity.DisposeAsync();
            await Proxy.DisposeAsync();
            await Vault.DisposeAsync();
        }
        finally
        {
            if (Storage is not null)
            {
                await Storage.DisposeAsync();
            }

            File.Delete(CertificateFile);
        }
    }
}
