using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.KeySources;

/// <summary>
/// Chooses the key source at startup (<see cref="KeySourceSelector"/>), so that a setting naming a source the app did
/// not register, or settings the chosen source cannot work with, stop the app with a message instead of surfacing at
/// the first request. Also stops an app whose vault URI is set while its keys come from settings: it would otherwise
/// serve whatever keys sit in its settings, never the vault's.
/// </summary>
/// <remarks>
/// It validates its own options type, <see cref="KeySourceCheck"/>, not <see cref="ApiKeyOptions"/>: it needs the
/// source, and a source may read <see cref="ApiKeyOptions"/> as it is made, which would validate them again from
/// within their own validation. A source's own options are validated as it is made, so only the chosen one's are.
/// </remarks>
internal sealed class KeySourceValidator(IServiceProvider services, IConfiguration configuration) : IValidateOptions<KeySourceCheck>
{
    private const string KeyVaultUriSetting = ApiKeyDefaults.SectionName + ":KeyVaultUri";
    private const string KeySourceSetting = ApiKeyDefaults.SectionName + ":" + nameof(ApiKeyOptions.KeySource);

    public ValidateOptionsResult Validate(string? name, KeySourceCheck options)
    {
        IApiKeySource source;
        try
        {
            source = services.GetRequiredService<IApiKeySource>();
        }
        catch (OptionsValidationException ex) when (ex.OptionsType == typeof(ApiKeyOptions))
        {
            // Their own validation at startup says what is wrong, once.
            return ValidateOptionsResult.Skip;
        }
        catch (OptionsValidationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Failures);
        }
        catch (InvalidOperationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }

        // With the vault registered, its URI names it (VaultAsDefaultSource), so the setting is never empty then.
        if (string.IsNullOrEmpty(services.GetRequiredService<IOptions<ApiKeyOptions>>().Value.KeySource) && !string.IsNullOrEmpty(configuration[KeyVaultUriSetting]))
        {
            var toUseIt = source.Name == KeySourceSelector.Settings ? string.Empty : $", or set {KeySourceSetting} to {source.Name} to use it";
            return ValidateOptionsResult.Fail($"{KeyVaultUriSetting} is set, but keys come from {source.Name}: register the vault with builder.UseApiKeyAuthentication().AddKeyVault(){toUseIt}, or remove {KeyVaultUriSetting}.");
        }

        return ValidateOptionsResult.Success;
    }
}

/// <summary>Nothing to set: the options type under which <see cref="KeySourceValidator"/> runs at startup.</summary>
internal sealed class KeySourceCheck;
