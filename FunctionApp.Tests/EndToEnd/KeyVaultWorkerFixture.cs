using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// A worker that loads its keys from Key Vault exactly as it would in Azure, with nothing in FunctionApp changed:
/// managed identity from <c>IDENTITY_ENDPOINT</c>/<c>IDENTITY_HEADER</c> (a loopback fake of that endpoint), the vault
/// addressed as <c>https://myvault.vault.azure.net</c> and reached through <c>HTTPS_PROXY</c> (a loopback CONNECT
/// proxy to the fake vault), whose certificate is trusted through <c>SSL_CERT_FILE</c>.
/// </summary>
public abstract class KeyVaultWorkerFixture : WorkerFixture
{
    private FakeAzureEnvironment _azure = null!;

    internal FakeKeyVaultServer Vault => _azure.Vault;

    internal ConnectProxy Proxy => _azure.Proxy;

    internal FakeManagedIdentityEndpoint Identity => _azure.Identity;

    internal FakeAzureEnvironment Azure => _azure;

    /// <summary>Whether the environment has Azurite for identity-based storage too.</summary>
    protected virtual bool WithStorage => false;

    /// <summary>How often the worker reloads its keys.</summary>
    protected abstract TimeSpan RefreshInterval { get; }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_azure is not null)
        {
            await _azure.DisposeAsync();
        }
    }

    /// <summary>Sends one GET /secure-endpoint with this key and returns the status.</summary>
    public async Task<int> CallAsync(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/secure-endpoint") { Headers = { { "api-key", key } } };
        using var response = await Client.SendAsync(request);
        return (int)response.StatusCode;
    }

    /// <summary>Calls until the status is <paramref name="expected"/>, for at most <paramref name="timeout"/>.</summary>
    public async Task<int> CallUntilAsync(string key, int expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        int status;
        do
        {
            status = await CallAsync(key);
            if (status == expected)
            {
                return status;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        return status;
    }

    /// <summary>Secrets in the vault before the worker starts.</summary>
    private protected abstract void Seed(FakeKeyVaultServer vault);

    protected override async Task BeforeStartAsync()
    {
        _azure = await FakeAzureEnvironment.StartAsync(withStorage: WithStorage);
        Seed(_azure.Vault);
    }

    protected override Dictionary<string, string?> Environment() => _azure.WorkerEnvironment(RefreshInterval);
}

/// <summary>Reloads every second, so vault changes show within about a second.</summary>
public sealed class RefreshingVaultWorkerFixture : KeyVaultWorkerFixture
{
    public string StableKey { get; } = TestKeys.NewValue();

    public string DisabledLaterKey { get; } = TestKeys.NewValue();

    protected override TimeSpan RefreshInterval => TimeSpan.FromSeconds(1);

    private protected override void Seed(FakeKeyVaultServer vault)
    {
        vault.SetSecret("apikey-stable", StableKey, tags: KeyTags.EveryFunction);
        vault.SetSecret("apikey-disabled-later", TestKeys.Sha256Text(DisabledLaterKey), tags: KeyTags.EveryFunction);
        vault.SetSecret("unrelated-connection-string", "Server=x;Password=y");
    }
}

/// <summary>Starts while the vault answers 503, and reloads only hourly apart from the retries after a failed load.</summary>
public sealed class VaultDownAtStartupWorkerFixture : KeyVaultWorkerFixture
{
    public string Key { get; } = TestKeys.NewValue();

    protected override TimeSpan RefreshInterval => TimeSpan.FromHours(1);

    private protected override void Seed(FakeKeyVaultServer vault)
    {
        vault.SetSecret("apikey-tutorial", Key, tags: KeyTags.EveryFunction);
        vault.StartOutage(503);
    }
}

/// <summary>
/// The shared ring as in Azure: the worker's PublishKeyRing timer publishes the vault's keys every second to a signed
/// blob in Azurite, reached with the managed identity, and the worker follows that blob every half second.
/// </summary>
public sealed class SharedRingWorkerFixture : KeyVaultWorkerFixture
{
    private readonly System.Security.Cryptography.ECDsa _signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

    public string Key { get; } = TestKeys.NewValue();

    public string RevokedLaterKey { get; } = TestKeys.NewValue();

    protected override bool WithStorage => true;

    protected override TimeSpan RefreshInterval => TimeSpan.FromMinutes(5);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _signer.Dispose();
    }

    protected override Dictionary<string, string?> Environment()
    {
        var environment = base.Environment();
        foreach (var (name, value) in Azure.StorageSettings())
        {
            environment[name] = value;
        }

        environment["ApiKeys__KeySource"] = "sharedring";
        environment["ApiKeys__RingVerificationKeys"] = Convert.ToBase64String(_signer.ExportSubjectPublicKeyInfo());
        environment["ApiKeys__PublishSchedule"] = "* * * * * *";
        environment["ApiKeys__RingPollInterval"] = "00:00:00.5";
        environment["ApiKeys__RingStaleAfter"] = "00:00:10";
        environment["ApiKeys__RefreshJitter"] = "00:00:00";
        environment["Logging__LogLevel__FunctionsApiKey"] = "Debug";
        return environment;
    }

    private protected override void Seed(FakeKeyVaultServer vault)
    {
        vault.SetSecret("keyring-signing-key", _signer.ExportPkcs8PrivateKeyPem());
        vault.SetSecret("apikey-tutorial", Key, tags: KeyTags.EveryFunction);
        vault.SetSecret("apikey-revoked-later", TestKeys.Sha256Text(RevokedLaterKey), tags: new Dictionary<string, string> { ["scopes"] = "SecureEndpoint" });
    }
}
