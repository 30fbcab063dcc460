using Azure.Security.KeyVault.Secrets;
using FunctionsApiKey.KeyRing;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.KeyVault;

/// <summary>
/// Keys from Key Vault, each instance reading the vault itself: a first load reads every value, later ones only what
/// changed, remembering what the last load learnt. Not thread-safe: the key ring calls it one load at a time.
/// </summary>
internal sealed class KeyVaultApiKeySource(
    IAzureClientFactory<SecretClient> clients,
    IOptions<KeyVaultApiKeyOptions> options,
    ILoggerFactory loggerFactory) : IApiKeySource
{
    private readonly KeyVaultKeyLoader _loader = new(
        clients.CreateClient(KeyVaultApiKeyDefaults.ClientName),
        options.Value,
        loggerFactory.CreateLogger(KeyVaultApiKeyDefaults.LogCategory));

    private IReadOnlyDictionary<string, VaultEntry> _known = new Dictionary<string, VaultEntry>();

    public string Name => "keyvault";

    public async Task<ApiKeyLoadResult> LoadAsync(CancellationToken cancellationToken)
    {
        var entries = await _loader.LoadAsync(_known, cancellationToken).ConfigureAwait(false);
        _known = VaultEntry.ByName(entries);
        return ApiKeyLoadResult.Loaded(VaultEntry.UsableKeys(entries));
    }
}
