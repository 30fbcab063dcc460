using Microsoft.Extensions.Options;

namespace FunctionsApiKey.KeyVault;

/// <summary>
/// With no key source named, a vault URI (from configuration, or set in code) chooses the vault, so the same
/// <c>Program.cs</c> reads settings locally and the vault in Azure. Reads the vault options unvalidated: whether they
/// are valid is the vault source's own check, made only if it is chosen.
/// </summary>
internal sealed class VaultAsDefaultSource(IEnumerable<IConfigureOptions<KeyVaultApiKeyOptions>> setups) : IPostConfigureOptions<ApiKeyOptions>
{
    public void PostConfigure(string? name, ApiKeyOptions options)
    {
        if (!string.IsNullOrEmpty(options.KeySource))
        {
            return;
        }

        var vault = new KeyVaultApiKeyOptions();
        foreach (var setup in setups)
        {
            setup.Configure(vault);
        }

        if (vault.KeyVaultUri is not null)
        {
            options.KeySource = KeyVaultApiKeyDefaults.KeySource;
        }
    }
}
