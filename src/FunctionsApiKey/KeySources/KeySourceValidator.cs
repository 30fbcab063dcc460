using FunctionsApiKey.KeyRing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.KeySources;

/// <summary>
/// Stops an app whose configuration names one key source while its code registered another, e.g. a vault URI set
/// without <c>.AddKeyVault()</c>: it would otherwise serve whatever keys sit in its settings, never the vault's.
/// </summary>
internal sealed class KeySourceValidator(IApiKeySource source, IConfiguration configuration) : IValidateOptions<ApiKeyOptions>
{
    public const string Settings = "settings";
    public const string KeyVault = "keyvault";

    private const string KeySourceSetting = ApiKeyDefaults.SectionName + ":" + nameof(ApiKeyOptions.KeySource);
    private const string KeyVaultUriSetting = ApiKeyDefaults.SectionName + ":KeyVaultUri";

    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var named = options.KeySource;
        var wanted = string.IsNullOrEmpty(named) ? (string.IsNullOrEmpty(configuration[KeyVaultUriSetting]) ? Settings : KeyVault) : named.ToLowerInvariant();
        if (wanted == source.Name)
        {
            return ValidateOptionsResult.Success;
        }

        var why = string.IsNullOrEmpty(named) ? $"{KeyVaultUriSetting} is set" : $"{KeySourceSetting} is '{named}'";
        return ValidateOptionsResult.Fail(wanted switch
        {
            KeyVault => $"{why}, but keys come from {source.Name}: register the vault with builder.UseApiKeyAuthentication().AddKeyVault() (package FunctionsApiKey.KeyVault), or remove the setting.",
            "sharedring" => $"{why}, but keys come from {source.Name}: register the shared ring with builder.UseApiKeyAuthentication().AddKeyVault().AddSharedKeyRing() (package FunctionsApiKey.SharedRing).",
            Settings => $"{why}, but keys come from {source.Name}; set it to {source.Name} or remove the registration of that source.",
            _ => $"{why}, which is not a key source; use settings, keyvault or sharedring.",
        });
    }
}
