namespace FunctionsApiKey.KeyVault;

/// <summary>
/// Where in Key Vault the keys are, bound from the <c>ApiKeys</c> section like the gate's own settings
/// (<c>ApiKeys__KeyVaultUri</c>, <c>ApiKeys__SecretPrefix</c>, <c>ApiKeys__MaxParallelFetches</c>,
/// <c>ApiKeys__KeysWithoutScopes</c>). The vault client's
/// credential (<c>ApiKeys__Credential</c>, <c>ApiKeys__ClientId</c>) and options (<c>ApiKeys__KeyVaultClient__…</c>)
/// follow the Microsoft.Extensions.Azure conventions.
/// </summary>
public sealed class KeyVaultApiKeyOptions
{
    /// <summary>The vault's URI, e.g. <c>https://myvault.vault.azure.net/</c>.</summary>
    public Uri? KeyVaultUri { get; set; }

    /// <summary>Secrets whose name starts with this (case-insensitive) are keys; the rest of the name is the key's name.</summary>
    public string SecretPrefix { get; set; } = "apikey-";

    /// <summary>How many secret values are fetched at once.</summary>
    public int MaxParallelFetches { get; set; } = 32;

    /// <summary>
    /// What a secret with no <c>scopes</c> tag means: by default nothing (<see cref="KeysWithoutScopes.Refuse"/>, the key
    /// is left out with a warning), since a key that may call every function is tagged <c>scopes=*</c>.
    /// <see cref="KeysWithoutScopes.EveryFunction"/> keeps the old meaning while an existing vault is being tagged.
    /// </summary>
    public KeysWithoutScopes KeysWithoutScopes { get; set; } = KeysWithoutScopes.Refuse;
}
