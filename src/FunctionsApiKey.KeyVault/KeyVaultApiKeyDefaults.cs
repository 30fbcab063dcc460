namespace FunctionsApiKey.KeyVault;

/// <summary>The names this package promises to keep, for configuration, client registration and log filters.</summary>
public static class KeyVaultApiKeyDefaults
{
    /// <summary>
    /// The name of this package's <c>SecretClient</c> among the app's Azure clients (<c>IAzureClientFactory</c>), so it
    /// never collides with a client the app registers with <c>AddSecretClient</c>.
    /// </summary>
    public const string ClientName = "FunctionsApiKey";

    /// <summary>The subsection of <c>ApiKeys</c> bound to the client's <c>SecretClientOptions</c> (retries, timeouts).</summary>
    public const string ClientOptionsSection = "KeyVaultClient";

    /// <summary>The name of the vault as a key source: the value of <c>ApiKeys:KeySource</c> that chooses it.</summary>
    public const string KeySource = "keyvault";

    /// <summary>Log category of loading keys from the vault (event ids 30–39).</summary>
    public const string LogCategory = "FunctionsApiKey.KeyVault";
}
