using System.Text.RegularExpressions;
using FunctionApp.KeySources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FunctionApp.Configuration;

/// <summary>
/// Fails startup on settings that would leave the gate misconfigured, naming the setting and the fix.
/// Also checks the keys written in settings, so a typo in one is found at startup, not at the first call.
/// </summary>
internal sealed partial class ApiKeyOptionsValidator(IConfiguration configuration) : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var errors = new List<string>();
        var section = ApiKeyOptions.SectionName;

        if (string.IsNullOrEmpty(options.HeaderName) || !LettersDigitsAndDashes().IsMatch(options.HeaderName))
        {
            errors.Add($"{section}:HeaderName '{options.HeaderName}' is not a valid HTTP header name; use letters, digits and '-' (default 'api-key').");
        }

        if (options.MaxKeyLength is < 16 or > KeyRing.ApiKeyHash.MaxKeyLength)
        {
            errors.Add($"{section}:MaxKeyLength must be between 16 and {KeyRing.ApiKeyHash.MaxKeyLength} (default 512); it is {options.MaxKeyLength}.");
        }

        if (options.RefreshInterval < TimeSpan.FromSeconds(1) || options.RefreshInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"{section}:RefreshInterval must be between 00:00:01 and 1.00:00:00 (default 00:05:00); it is {options.RefreshInterval}.");
        }

        if (options.MaxKeyRingAge != TimeSpan.Zero && (options.MaxKeyRingAge < options.RefreshInterval * 2 || options.MaxKeyRingAge > TimeSpan.FromDays(30)))
        {
            errors.Add($"{section}:MaxKeyRingAge must be 00:00:00 (no limit) or between twice RefreshInterval and 30.00:00:00 (default 1.00:00:00); it is {options.MaxKeyRingAge}.");
        }

        if (options.RefreshJitter < TimeSpan.Zero || options.RefreshJitter >= options.RefreshInterval)
        {
            errors.Add($"{section}:RefreshJitter must be zero or more and less than RefreshInterval (default 00:00:30); it is {options.RefreshJitter}.");
        }

        if (options.FirstLoadTimeout < TimeSpan.Zero || options.FirstLoadTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{section}:FirstLoadTimeout must be between 00:00:00 and 00:05:00 (default 00:00:10); it is {options.FirstLoadTimeout}.");
        }

        if (options.MaxParallelFetches is < 1 or > 64)
        {
            errors.Add($"{section}:MaxParallelFetches must be between 1 and 64 (default 32); it is {options.MaxParallelFetches}.");
        }

        if (options.KeyVaultUri is { } vault)
        {
            if (!vault.IsAbsoluteUri || vault.Scheme != Uri.UriSchemeHttps || vault.AbsolutePath != "/" || !string.IsNullOrEmpty(vault.Query))
            {
                errors.Add($"{section}:KeyVaultUri must be the vault's https URI with no path, e.g. https://myvault.vault.azure.net/; it is '{vault}'.");
            }

            if (string.IsNullOrEmpty(options.SecretPrefix) || !LettersDigitsAndDashes().IsMatch(options.SecretPrefix))
            {
                errors.Add($"{section}:SecretPrefix must be letters, digits and '-' as in a Key Vault secret name (default 'apikey-'); it is '{options.SecretPrefix}'.");
            }
        }
        else
        {
            var keys = configuration.GetSection(SettingsKeyReader.SectionPath);
            errors.AddRange(SettingsKeyReader.Read(keys, options.MaxKeyLength).Errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // Both a header name and a Key Vault secret name prefix are safe with this subset of their grammars.
    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex LettersDigitsAndDashes();
}
