using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.KeySources;

/// <summary>
/// While keys come from settings, checks them at startup, so a typo in one stops the app instead of surfacing at the
/// first call. Also stops an app that names a vault but never registered the vault source, which would otherwise
/// serve whatever keys sit in its settings.
/// </summary>
internal sealed class SettingsKeysValidator(IConfiguration configuration) : IValidateOptions<ApiKeyOptions>
{
    /// <summary>The setting that names a vault (read by the FunctionsApiKey.KeyVault package).</summary>
    private const string KeyVaultUriSetting = ApiKeyDefaults.SectionName + ":KeyVaultUri";

    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var errors = new List<string>(SettingsKeyReader.Read(configuration).Errors);
        if (!string.IsNullOrEmpty(configuration[KeyVaultUriSetting]))
        {
            errors.Add($"{KeyVaultUriSetting} is set, but keys come from settings: register the vault with builder.UseApiKeyAuthentication().AddKeyVault() (package FunctionsApiKey.KeyVault), or remove the setting.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
