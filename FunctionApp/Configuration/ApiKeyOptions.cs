namespace FunctionApp.Configuration;

/// <summary>
/// Settings of the API-key layer, bound from the <c>ApiKeys</c> section (environment variables
/// <c>ApiKeys__&lt;Setting&gt;</c>). The README's configuration reference lists each one.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "ApiKeys";

    /// <summary>The request header that carries the key. Header names are case-insensitive.</summary>
    public string HeaderName { get; set; } = "api-key";

    /// <summary>Longer header values are refused without being hashed.</summary>
    public int MaxKeyLength { get; set; } = 512;

    /// <summary>When set, keys come from this vault and not from settings.</summary>
    public Uri? KeyVaultUri { get; set; }

    /// <summary>Secrets whose name starts with this (case-insensitive) are keys; the rest of the name is the key's name.</summary>
    public string SecretPrefix { get; set; } = "apikey-";

    /// <summary>How often the key ring is reloaded; a revoked key stops working within about this long.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Each interval is moved by a random amount up to this, so instances that scaled out do not reload together.</summary>
    public TimeSpan RefreshJitter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How old the key ring in force may get while refreshes keep failing before protected functions answer 503:
    /// past it, a key revoked in the vault could otherwise keep working indefinitely. Zero turns the limit off.
    /// </summary>
    public TimeSpan MaxKeyRingAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a request waits for the first key ring at startup before it is answered 503.</summary>
    public TimeSpan FirstLoadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many secret values are fetched from Key Vault at once.</summary>
    public int MaxParallelFetches { get; set; } = 32;
}
