using FunctionApp.Testing.FakeKeyVault;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// A fake Azure for a test class that runs <c>dotnet apikeys</c> against a vault: the fake vault as
/// <c>https://myvault.vault.azure.net/</c> behind the CONNECT proxy, the managed identity endpoint the tool's
/// <c>DefaultAzureCredential</c> signs in with, and their certificates trusted through <c>SSL_CERT_FILE</c>, as in Azure.
/// Each class gets its own, so a class may change the vault's role or inject faults without touching another's.
/// </summary>
public class ToolVaultFixture : IAsyncLifetime
{
    public const string VaultUri = "https://myvault.vault.azure.net/";

    internal FakeAzureEnvironment Azure { get; private set; } = null!;

    internal FakeKeyVaultServer Vault => Azure.Vault;

    /// <summary>Whether Azurite runs too, as the app's storage account with its last-use table.</summary>
    protected virtual bool WithStorage => false;

    public async Task InitializeAsync()
    {
        Azure = await FakeAzureEnvironment.StartAsync(WithStorage);
        await SeedAsync();
    }

    public async Task DisposeAsync()
    {
        if (Azure is not null)
        {
            await Azure.DisposeAsync();
        }
    }

    /// <summary>Secrets in the vault before the class's first test.</summary>
    protected virtual Task SeedAsync() => Task.CompletedTask;

    /// <summary>The tool's environment for this class's vault (<see cref="EnvironmentFor"/>).</summary>
    public Dictionary<string, string?> Environment() => EnvironmentFor(Azure);

    /// <summary>
    /// The tool's environment in <paramref name="azure"/>: the platform's (managed identity, proxy, trust), the vault as
    /// <c>ApiKeys__KeyVaultUri</c>, and none of the app settings the tool reads left over from this process.
    /// </summary>
    internal static Dictionary<string, string?> EnvironmentFor(FakeAzureEnvironment azure)
    {
        var environment = ApiKeysTool.CleanEnvironment();
        foreach (var (name, value) in azure.PlatformEnvironment())
        {
            environment[name] = value;
        }

        environment["ApiKeys__KeyVaultUri"] = VaultUri;
        return environment;
    }

    /// <summary><paramref name="time"/> in whole seconds, as Key Vault keeps times.</summary>
    internal static DateTimeOffset WholeSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());

    /// <summary>Runs <c>dotnet apikeys <paramref name="arguments"/></c> in <see cref="Environment"/>.</summary>
    internal Task<ProcessRun> RunAsync(params string[] arguments) => ApiKeysTool.RunAsync(Environment(), arguments);

    /// <summary>Runs <c>dotnet apikeys <paramref name="arguments"/></c> with <paramref name="input"/> on standard input.</summary>
    internal Task<ProcessRun> RunWithInputAsync(string input, params string[] arguments) => ApiKeysTool.RunAsync(Environment(), arguments, input);
}
