using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.KeySources;

/// <summary>
/// While keys come from settings (by <see cref="KeySourceSelector"/>), checks them at startup, so a typo in one stops the app instead of surfacing at the
/// first call.
/// </summary>
internal sealed class SettingsKeysValidator(IConfiguration configuration, IEnumerable<KeySourceRegistration> registrations, IEnumerable<ApiKeyProperty> properties) : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        if (!KeySourceSelector.UsesSettings(options, registrations))
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = SettingsKeyReader.Read(configuration, properties).Errors;
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
