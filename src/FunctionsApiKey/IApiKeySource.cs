namespace FunctionsApiKey;

/// <summary>
/// Where keys come from: application settings by default, Key Vault with the <c>FunctionsApiKey.KeyVault</c> package,
/// or a store of your own registered with <c>UseApiKeyAuthentication().AddSource&lt;T&gt;()</c>. The key ring calls
/// <see cref="LoadAsync"/> at startup and then every <see cref="PollInterval"/>, one call at a time.
/// </summary>
public interface IApiKeySource
{
    /// <summary>A short name for logs and metrics, e.g. "settings" or "keyvault".</summary>
    string Name { get; }

    /// <summary>How often the key ring asks this source; null means <see cref="ApiKeyOptions.RefreshInterval"/>.</summary>
    TimeSpan? PollInterval => null;

    /// <summary>
    /// Loads every key, or says that nothing changed. Throws when the source cannot be read, so the ring in force
    /// stays; a key that is unusable on its own is left out (and logged by name) instead.
    /// </summary>
    /// <param name="cancellationToken">Cancelled when the app stops.</param>
    Task<ApiKeyLoadResult> LoadAsync(CancellationToken cancellationToken);
}
