using System.Globalization;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// Everything an unchanged FunctionApp needs to load its keys from "Key Vault" as it would in Azure, on loopback:
/// the fake vault, a CONNECT proxy that routes <c>myvault.vault.azure.net:443</c> to it, a managed identity
/// endpoint, and the vault's certificate in a file for <c>SSL_CERT_FILE</c>. <see cref="WorkerEnvironment"/> gives
/// the worker's environment variables that point the app at them.
/// </summary>
public sealed class FakeAzureEnvironment : IAsyncDisposable
{
    private FakeAzureEnvironment(FakeKeyVaultServer vault, ConnectProxy proxy, FakeManagedIdentityEndpoint identity, string certificateFile)
    {
        Vault = vault;
        Proxy = proxy;
        Identity = identity;
        CertificateFile = certificateFile;
    }

    public FakeKeyVaultServer Vault { get; }

    public ConnectProxy Proxy { get; }

    public FakeManagedIdentityEndpoint Identity { get; }

    public string CertificateFile { get; }

    public static async Task<FakeAzureEnvironment> StartAsync()
    {
        var vault = await FakeKeyVaultServer.StartAsync();
        var proxy = new ConnectProxy("myvault.vault.azure.net:443", vault.Port);
        var identity = await FakeManagedIdentityEndpoint.StartAsync(vault.AccessToken);
        var certificateFile = Path.Combine(Path.GetTempPath(), $"fake-vault-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(certificateFile, vault.Certificate.ExportCertificatePem());
        return new FakeAzureEnvironment(vault, proxy, identity, certificateFile);
    }

    /// <summary>
    /// The app settings of docs/key-vault.md (vault URI, managed identity) plus what Azure itself
    /// provides (<c>IDENTITY_ENDPOINT</c>, <c>IDENTITY_HEADER</c>), routed to the fakes.
    /// </summary>
    public Dictionary<string, string?> WorkerEnvironment(TimeSpan refreshInterval) => new()
    {
        ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production",
        ["ApiKeys__Keys__local-dev"] = null,
        ["ApiKeys__KeyVaultUri"] = "https://myvault.vault.azure.net/",
        ["ApiKeys__Credential"] = "managedidentity",
        ["ApiKeys__RefreshInterval"] = refreshInterval.ToString("c", CultureInfo.InvariantCulture),
        ["ApiKeys__RefreshJitter"] = "00:00:00",
        ["ApiKeys__FirstLoadTimeout"] = "00:00:02",
        ["ApiKeys__KeyVaultClient__Retry__MaxRetries"] = "1",
        ["ApiKeys__KeyVaultClient__Retry__Delay"] = "00:00:00.050",
        ["ApiKeys__KeyVaultClient__Retry__MaxDelay"] = "00:00:00.100",
        ["IDENTITY_ENDPOINT"] = Identity.Endpoint.ToString(),
        ["IDENTITY_HEADER"] = Identity.IdentityHeader,
        ["HTTPS_PROXY"] = Proxy.Address.ToString(),
        ["NO_PROXY"] = "127.0.0.1,localhost",
        ["SSL_CERT_FILE"] = CertificateFile,
        ["SSL_CERT_DIR"] = Path.Combine(Path.GetTempPath(), "no-such-certificate-directory"),
    };

    public async ValueTask DisposeAsync()
    {
        await Identity.DisposeAsync();
        await Proxy.DisposeAsync();
        await Vault.DisposeAsync();
        File.Delete(CertificateFile);
    }
}
