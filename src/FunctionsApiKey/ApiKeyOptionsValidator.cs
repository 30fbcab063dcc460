using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey;

/// <summary>Fails startup on settings that would leave the gate misconfigured, naming the setting and the fix.</summary>
internal sealed partial class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>
{
    private const string Section = ApiKeyDefaults.SectionName;
    private const int MaxProxyHops = 10;

    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var errors = new List<string>();

        if (string.IsNullOrEmpty(options.HeaderName) || !HeaderNameCharacters().IsMatch(options.HeaderName))
        {
            errors.Add($"{Section}:HeaderName '{options.HeaderName}' is not a valid HTTP header name; use letters, digits and '-' (default '{ApiKeyDefaults.HeaderName}').");
        }

        if (!ApiKeyFormat.IsValidPrefix(options.KeyPrefix))
        {
            errors.Add($"{Section}:KeyPrefix '{options.KeyPrefix}' is not a valid key prefix; use 1 to {ApiKeyFormat.MaxPrefixLength} ASCII letters and digits (default '{ApiKeyFormat.DefaultPrefix}').");
        }

        if (options.RefreshInterval < TimeSpan.FromSeconds(1) || options.RefreshInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"{Section}:RefreshInterval must be between 00:00:01 and 1.00:00:00 (default 00:05:00); it is {options.RefreshInterval}.");
        }

        if (options.MaxKeyRingAge != TimeSpan.Zero && (options.MaxKeyRingAge < options.RefreshInterval * 2 || options.MaxKeyRingAge > TimeSpan.FromDays(30)))
        {
            errors.Add($"{Section}:MaxKeyRingAge must be 00:00:00 (no limit) or between twice RefreshInterval and 30.00:00:00 (default 1.00:00:00); it is {options.MaxKeyRingAge}.");
        }

        if (options.RefreshJitter < TimeSpan.Zero || options.RefreshJitter >= options.RefreshInterval)
        {
            errors.Add($"{Section}:RefreshJitter must be zero or more and less than RefreshInterval (default 00:00:30); it is {options.RefreshJitter}.");
        }

        if (options.FirstLoadTimeout < TimeSpan.Zero || options.FirstLoadTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Section}:FirstLoadTimeout must be between 00:00:00 and 00:05:00 (default 00:00:10); it is {options.FirstLoadTimeout}.");
        }

        if (options.TrustedProxyHops is < 0 or > MaxProxyHops)
        {
            errors.Add($"{Section}:TrustedProxyHops must be between 0 and {MaxProxyHops}: the number of proxies of your own in front of the app that append to X-Forwarded-For (default 0); it is {options.TrustedProxyHops}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // A safe subset of RFC 9110's token grammar for a header name.
    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex HeaderNameCharacters();
}
