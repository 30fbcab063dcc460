using System.Diagnostics.CodeAnalysis;
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

        if (string.IsNullOrEmpty(options.SecretPrefix) || !SecretNameCharacters().IsMatch(options.SecretPrefix) || options.SecretPrefix.Length >= MaxSecretNameLength)
        {
            errors.Add($"{Section}:SecretPrefix must be 1 to {MaxSecretNameLength - 1} letters, digits and '-', as the start of a Key Vault secret name (default 'apikey-'); it is '{options.SecretPrefix}'.");
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

    /// <summary>The longest name Key Vault gives a secret.</summary>
    public const int MaxSecretNameLength = 127;

    /// <summary>
    /// Whether a key named <paramref name="keyName"/> can be a secret under <paramref name="secretPrefix"/>: the two make
    /// a secret name of 1–127 letters, digits and '-', as Key Vault requires.
    /// </summary>
    /// <param name="keyName">The key's name, which follows the prefix in the secret's name.</param>
    /// <param name="secretPrefix">The secret prefix (<see cref="KeyVaultApiKeyOptions.SecretPrefix"/>).</param>
    public static bool IsKeyName([NotNullWhen(true)] string? keyName, string secretPrefix)
    {
        ArgumentNullException.ThrowIfNull(secretPrefix);
        return !string.IsNullOrEmpty(keyName) && secretPrefix.Length + keyName.Length <= MaxSecretNameLength && SecretNameCharacters().IsMatch(keyName);
    }

    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex SecretNameCharacters();
}
