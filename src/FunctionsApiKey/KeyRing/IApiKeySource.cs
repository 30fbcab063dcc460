namespace FunctionsApiKey.KeyRing;

/// <summary>
/// Where keys come from: application settings by default, Key Vault with the <c>FunctionsApiKey.KeyVault</c> package,
/// or a store of your own registered with <c>UseApiKeyAuthentication().AddSource&lt;T&gt;()</c>. The key ring calls
/// <see cref="LoadAsync"/> at startup and on every refresh, one call at a time.
/// </summary>
public interface IApiKeySource
{
    /// <summary>A short name for logs and metrics, e.g. "settings" or "keyvault".</summary>
    string Name { get; }

    /// <summary>
    /// Loads every key. Throws when the source cannot be read, so the ring in force stays; a key that is unusable on
    /// its own is left out (and logged by name) instead.
    /// </summary>
    /// <param name="cancellationToken">Cancelled when the app stops.</param>
    Task<IReadOnlyList<ApiKey>> LoadAsync(CancellationToken cancellationToken);
}
