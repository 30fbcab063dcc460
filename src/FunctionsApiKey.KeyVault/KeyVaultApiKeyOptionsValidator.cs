using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.KeyVault;

/// <summary>
/// Fails startup on vault settings that cannot work, naming the setting and the fix. Public so a tool that reads the same
/// settings refuses what the app would refuse.
/// </summary>
public sealed partial class KeyVaultApiKeyOptionsValidator : IValidateOptions<KeyVaultApiKeyOptions>
{
    private const string Section = ApiKeyDefaults.SectionName;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, KeyVaultApiKeyOptions options)
    {
        var errors = new List<string>();
        if (options.KeyVaultUri is not { } vault)
        {
            errors.Add($"{Section}:KeyVaultUri is not set; set it to the vault's URI, e.g. https://myvault.vault.azure.net/.");
        }
        else if (!vault.IsAbsoluteUri || vault.Scheme != Uri.UriSchemeHttps || vault.AbsolutePath != "/" || !string.IsNullOrEmpty(vault.Query))
        {
            errors.Add($"{Section}:KeyVaultUri must be the vault's https URI with no path, e.g. https://myvault.vault.azure.net/; it is '{vault}'.");
        }

        if (string.IsNullOrEmpty(options.SecretPrefix) || !SecretNameCharacters().IsMatch(options.SecretPrefix))
        {
            errors.Add($"{Section}:SecretPrefix must be letters, digits and '-' as in a Key Vault secret name (default 'apikey-'); it is '{options.SecretPrefix}'.");
        }

        if (options.MaxParallelFetches is < 1 or > 64)
        {
            errors.Add($"{Section}:MaxParallelFetches must be between 1 and 64 (default 32); it is {options.MaxParallelFetches}.");
        }

        if (!Enum.IsDefined(options.KeysWithoutScopes))
        {
            errors.Add($"{Section}:KeysWithoutScopes must be {nameof(KeysWithoutScopes.Refuse)} (the default: a key secret with no scopes tag is left out) or {nameof(KeysWithoutScopes.EveryFunction)} (while tagging an existing vault); it is '{options.KeysWithoutScopes}'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex SecretNameCharacters();
}
