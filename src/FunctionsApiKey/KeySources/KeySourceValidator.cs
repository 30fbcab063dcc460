using FunctionsApiKey.KeyRing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.KeySources;

/// <summary>
/// Stops an app whose configuration names one key source while its code registered another, e.g. a vault URI set
/// without <c>.AddKeyVault()</c>: it would otherwise serve whatever keys sit in its settings, never the vault's.
/// </summary>
/// <remarks>
/// It validates its own options type, <see cref="KeySourceCheck"/>, not <see cref="ApiKeyOptions"/>: it needs the
/// source, and a source may read <see cref="ApiKeyOptions"/> as it is made, which would validate them again from
/// within their own validation.
/// </remarks>
internal sealed class KeySourceValidator(IServiceProvider services, IConfiguration configuration) : IValidateOptions<KeySourceCheck>
{
    public const string Settings = "settings";
    public const string KeyVault = "keyvault";
    public const string SharedRing = "sharedring";

    private const string KeySourceSetting = ApiKeyDefaults.SectionName + ":" + nameof(ApiKeyOptions.KeySource);
    private const string KeyVaultUriSetting = ApiKeyDefaults.SectionName + ":KeyVaultUri";

    public ValidateOptionsResult Validate(string? name, KeySourceCheck options)
    {
        IApiKeySource source;
        string? named;
        try
        {
            named = services.GetRequiredService<IOptions<ApiKeyOptions>>().Value.KeySource;
            source = services.GetRequiredService<IApiKeySource>();
        }
        catch (OptionsValidationException)
        {
            // The settings the source needs are invalid; their own validation says which, once.
            return ValidateOptionsResult.Skip;
        }

        // With no source named, a vault URI asks for the vault; without one, the source the code registered is the
        // choice (settings by default, or a store of the app's own added with AddSource<T>()).
        var wanted = !string.IsNullOrEmpty(named) ? named.ToLowerInvariant()
            : !string.IsNullOrEmpty(configuration[KeyVaultUriSetting]) ? KeyVault
            : source.Name;
        if (wanted == source.Name)
        {
            return ValidateOptionsResult.Success;
        }

        var why = string.IsNullOrEmpty(named) ? $"{KeyVaultUriSetting} is set" : $"{KeySourceSetting} is '{named}'";
        return ValidateOptionsResult.Fail(wanted switch
        {
            KeyVault when source.Name is Settings => $"{why}, but keys come from {source.Name}: register the vault with builder.UseApiKeyAuthentication().AddKeyVault() (package FunctionsApiKey.KeyVault), or remove the setting.",
            KeyVault => $"{why}, but keys come from {source.Name}: set {KeySourceSetting} to {source.Name} to use it, or remove {KeyVaultUriSetting}.",
            SharedRing => $"{why}, but keys come from {source.Name}: register the shared ring with builder.UseApiKeyAuthentication().AddKeyVault().AddSharedKeyRing() (package FunctionsApiKey.SharedRing).",
            Settings => $"{why}, but keys come from {source.Name}; set it to {source.Name} or remove the registration of that source.",
            _ => $"{why}, but keys come from {source.Name}, and no source of that name is registered: use settings, keyvault or sharedring, or the name of a source added with builder.UseApiKeyAuthentication().AddSource<T>().",
        });
    }
}

/// <summary>Nothing to set: the options type under which <see cref="KeySourceValidator"/> runs at startup.</summary>
internal sealed class KeySourceCheck;
