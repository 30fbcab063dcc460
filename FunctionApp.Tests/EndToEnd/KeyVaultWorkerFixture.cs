using System.Globalization;
using Azure.Storage.Blobs;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Testing.Storage;
using FunctionApp.Tests.Storage;

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
    public Task<int> CallAsync(string key) => SecureEndpoint.CallAsync(Client, key);

    /// <summary>Calls until the status is <paramref name="expected"/>, for at most <paramref name="timeout"/>.</summary>
    public Task<int> CallUntilAsync(string key, int expected, TimeSpan timeout) => SecureEndpoint.CallUntilAsync(Client, key, expected, timeout);

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
public class SharedRingWorkerFixture : KeyVaultWorkerFixture
{
    private readonly System.Security.Cryptography.ECDsa _signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

    public string Key { get; } = TestKeys.NewValue();

    public string RevokedLaterKey { get; } = TestKeys.NewValue();

    protected override bool WithStorage => true;

    protected override TimeSpan RefreshInterval => TimeSpan.FromMinutes(5);

    /// <summary>The signing key in the vault, as whoever administers the vault holds it.</summary>
    internal System.Security.Cryptography.ECDsa Signer => _signer;

    /// <summary>The ring's container in Azurite, reached with the account key, as an attacker with write access to storage.</summary>
    internal BlobContainerClient RingContainer =>
        Azure.Storage!.BlobsByAccountKey().GetBlobContainerClient("functionsapikey");

    /// <summary>The publisher's schedule: every second.</summary>
    protected virtual string PublishSchedule => "* * * * * *";

    /// <summary>How long the ring may go unconfirmed before instances read the vault.</summary>
    protected virtual TimeSpan RingStaleAfter => TimeSpan.FromSeconds(10);

    /// <summary>How often the worker checks the ring.</summary>
    protected virtual TimeSpan RingPollInterval => TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// What <c>dotnet apikeys</c> reads where the app runs: the platform's identity and trust, and the app's vault,
    /// storage and ring settings.
    /// </summary>
    internal Dictionary<string, string?> ToolEnvironment()
    {
        var environment = Tool.ToolVaultFixture.EnvironmentFor(Azure);
        foreach (var (name, value) in Environment().Where(s => s.Key.StartsWith("AzureWebJobsStorage", StringComparison.Ordinal) || s.Key.StartsWith("ApiKeys__", StringComparison.Ordinal)))
        {
            environment[name] = value;
        }

        return environment;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _signer.Dispose();
    }

    protected override Dictionary<string, string?> Environment()
    {
        var environment = Azure.SharedRingEnvironment(RefreshInterval, _signer, PublishSchedule);
        environment["ApiKeys__RingPollInterval"] = RingPollInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        environment["ApiKeys__RingStaleAfter"] = RingStaleAfter.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
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

/// <summary>
/// The shared ring with its blobs reached through a <see cref="FaultProxy"/> in front of Azurite, which a test switches
/// to hang, stall or reset. Not a class fixture: each test starts its own, so it meets the fault as a fresh instance or
/// as one already following the ring.
/// </summary>
public sealed class FaultyStorageWorkerFixture(ProxyFault initialFault) : SharedRingWorkerFixture
{
    /// <summary>The deadline of one read of the ring or its heartbeat, as set here.</summary>
    public static readonly TimeSpan RingStorageTimeout = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    internal FaultProxy StorageProxy { get; private set; } = null!;

    protected override TimeSpan RingStaleAfter => StaleAfter;

    protected override TimeSpan RingPollInterval => PollInterval;

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            if (StorageProxy is not null)
            {
                await StorageProxy.DisposeAsync();
            }
        }
    }

    protected override async Task BeforeStartAsync()
    {
        await base.BeforeStartAsync();
        StorageProxy = new FaultProxy(Azure.Storage!.BlobServiceUri.Port, initialFault);
    }

    protected override Dictionary<string, string?> Environment()
    {
        var environment = base.Environment();
        environment["AzureWebJobsStorage__blobServiceUri"] = $"https://127.0.0.1:{StorageProxy.Port}/{AzuriteServer.AccountName}/";
        environment["ApiKeys__RingStorageTimeout"] = RingStorageTimeout.ToString("c", CultureInfo.InvariantCulture);
        environment["ApiKeys__RingPollInterval"] = RingPollInterval.ToString("c", CultureInfo.InvariantCulture);
        return environment;
    }
}

/// <summary>
/// The shared ring with a publisher that runs only when a test invokes it (its schedule is once a year), so a test can
/// put blobs in storage that no publisher run replaces before the worker reads them. The ring may go unconfirmed for 20 s.
/// </summary>
public sealed class ManuallyPublishedRingWorkerFixture : SharedRingWorkerFixture
{
    internal static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(20);

    protected override string PublishSchedule => "0 0 0 1 1 *";

    protected override TimeSpan RingStaleAfter => StaleAfter;
}
