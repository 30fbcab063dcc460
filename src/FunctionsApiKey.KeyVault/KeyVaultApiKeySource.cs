namespace FunctionsApiKey.KeyVault;

/// <summary>
/// Keys from Key Vault, each instance reading the vault itself: a first load reads every value, later ones only what
/// changed, remembering what the last load learnt. Not thread-safe: the key ring calls it one load at a time.
/// </summary>
internal sealed class KeyVaultApiKeySource(KeyVaultKeyLoader loader) : IApiKeySource
{
    private IReadOnlyDictionary<string, VaultEntry> _known = new Dictionary<string, VaultEntry>();

    public string Name => KeyVaultApiKeyDefaults.KeySource;

    public async Task<ApiKeyLoadResult> LoadAsync(CancellationToken cancellationToken)
    {
        var entries = await loader.LoadAsync(_known, cancellationToken).ConfigureAwait(false);
        _known = VaultEntry.ByName(entries);
        return ApiKeyLoadResult.Loaded(VaultEntry.UsableKeys(entries));
    }
}
