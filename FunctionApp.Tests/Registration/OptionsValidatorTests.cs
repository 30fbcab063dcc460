using FunctionApp.Testing;
using FunctionsApiKey;
using FunctionsApiKey.KeySources;
using FunctionsApiKey.KeyVault;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests.Registration;

/// <summary>Each setting bound from configuration, as the app binds it, and refused with a message naming it and its fix.</summary>
public sealed class OptionsValidatorTests
{
    [Fact]
    public void TheDefaultsAreValid()
    {
        Assert.True(new ApiKeyOptionsValidator().Validate(null, new ApiKeyOptions()).Succeeded);
        Assert.True(new KeyVaultApiKeyOptionsValidator().Validate(null, new KeyVaultApiKeyOptions { KeyVaultUri = new("https://myvault.vault.azure.net/") }).Succeeded);
    }

    [Fact]
    public void TheKeyRingAgeLimitCanBeTurnedOff() => Assert.True(ValidateGate(new() { ["ApiKeys:MaxKeyRingAge"] = "00:00:00" }).Succeeded);

    [Theory]
    [InlineData("HeaderName", "api key", "ApiKeys:HeaderName 'api key' is not a valid HTTP header name")]
    [InlineData("HeaderName", "", "ApiKeys:HeaderName '' is not a valid HTTP header name")]
    [InlineData("KeyPrefix", "my_co", "ApiKeys:KeyPrefix 'my_co' is not a valid key prefix; use 1 to 16 ASCII letters and digits (default 'fnak').")]
    [InlineData("KeyPrefix", "", "ApiKeys:KeyPrefix '' is not a valid key prefix")]
    [InlineData("RefreshInterval", "00:00:00.500", "ApiKeys:RefreshInterval must be between 00:00:01 and 1.00:00:00 (default 00:05:00); it is 00:00:00.5000000.")]
    [InlineData("RefreshInterval", "60.00:00:00", "ApiKeys:RefreshInterval must be between 00:00:01 and 1.00:00:00 (default 00:05:00); it is 60.00:00:00.")]
    [InlineData("MaxKeyRingAge", "00:05:00", "ApiKeys:MaxKeyRingAge must be 00:00:00 (no limit) or between twice RefreshInterval and 30.00:00:00")]
    [InlineData("MaxKeyRingAge", "60.00:00:00", "ApiKeys:MaxKeyRingAge must be 00:00:00 (no limit) or between twice RefreshInterval and 30.00:00:00")]
    [InlineData("RefreshJitter", "00:10:00", "ApiKeys:RefreshJitter must be zero or more and less than RefreshInterval")]
    [InlineData("FirstLoadTimeout", "01:00:00", "ApiKeys:FirstLoadTimeout must be between 00:00:00 and 00:05:00")]
    public void ABadGateSettingIsNamedWithItsFix(string setting, string value, string expected)
    {
        var result = ValidateGate(new() { [$"ApiKeys:{setting}"] = value });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("MaxParallelFetches", "0", "ApiKeys:MaxParallelFetches must be between 1 and 64 (default 32); it is 0.")]
    [InlineData("KeyVaultUri", "http://myvault.vault.azure.net/", "ApiKeys:KeyVaultUri must be the vault's https URI with no path")]
    [InlineData("KeyVaultUri", "https://myvault.vault.azure.net/secrets", "ApiKeys:KeyVaultUri must be the vault's https URI with no path")]
    [InlineData("KeysWithoutScopes", "7", "ApiKeys:KeysWithoutScopes must be Refuse (the default: a key secret with no scopes tag is left out) or EveryFunction (while tagging an existing vault); it is '7'.")]
    [InlineData("SecretPrefix", "api_key_", "ApiKeys:SecretPrefix must be 1 to 126 letters, digits and '-', as the start of a Key Vault secret name (default 'apikey-'); it is 'api_key_'.")]
    [InlineData("SecretPrefix", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "ApiKeys:SecretPrefix must be 1 to 126 letters, digits and '-'")]
    public void ABadVaultSettingIsNamedWithItsFix(string setting, string value, string expected)
    {
        var options = new KeyVaultApiKeyOptions();
        Configuration(new() { ["ApiKeys:KeyVaultUri"] = "https://myvault.vault.azure.net/", [$"ApiKeys:{setting}"] = value }).GetSection("ApiKeys").Bind(options);

        var result = new KeyVaultApiKeyOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void SettingsKeysAreCheckedAtStartupWithoutQuotingTheirValues()
    {
        var secret = "has spaces " + TestKeys.NewValue();
        var configuration = Configuration(new()
        {
            ["ApiKeys:Keys:good"] = TestKeys.NewValue(),
            ["ApiKeys:Keys:spaces"] = secret,
            ["ApiKeys:Keys:badhash"] = "sha256:1234",
            ["ApiKeys:Keys:novalue:Scopes"] = "reports",
            ["ApiKeys:Keys:late"] = TestKeys.NewValue(),
            ["ApiKeys:Keys:late:ExpiresOn"] = "next tuesday",
            ["ApiKeys:Keys:typo"] = TestKeys.NewValue(),
            ["ApiKeys:Keys:typo:Scope"] = "reports",
            ["ApiKeys:Keys:blank-scopes"] = TestKeys.NewValue(),
            ["ApiKeys:Keys:blank-scopes:Scopes"] = " ",
            ["ApiKeys:Keys:maybe"] = TestKeys.NewValue(),
            ["ApiKeys:Keys:maybe:Enabled"] = "no",
        });

        var result = new SettingsKeysValidator(configuration, [new KeySourceRegistration(KeySourceSelector.Settings, typeof(SettingsApiKeySource))], []).Validate(null, new ApiKeyOptions());

        Assert.Equal(
        [
            "ApiKeys:Keys:badhash starts with sha256: but is not followed by exactly 64 hexadecimal digits.",
            "ApiKeys:Keys:blank-scopes:Scopes is empty; list the scopes the key may call, or set it to * to allow every function.",
            "ApiKeys:Keys:late:ExpiresOn 'next tuesday' is not an ISO 8601 date and time; write it as 2027-01-31T00:00:00Z (a date alone means midnight UTC, a time without an offset is UTC).",
            "ApiKeys:Keys:maybe:Enabled 'no' is not true or false.",
            "ApiKeys:Keys:novalue has no value; set it to the key, or to sha256:<64 hex digits> of the key.",
            "ApiKeys:Keys:spaces is not a usable key: it must be 1 to 512 visible ASCII characters with no comma or whitespace.",
            "ApiKeys:Keys:typo:Scope is not a key property; use Scopes, NotBefore, ExpiresOn, Enabled.",
        ], result.Failures!.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(result.Failures!, f => f.Contains(secret[11..], StringComparison.Ordinal));
    }

    private static ValidateOptionsResult ValidateGate(Dictionary<string, string?> values)
    {
        var options = new ApiKeyOptions();
        Configuration(values).GetSection(ApiKeyDefaults.SectionName).Bind(options);
        return new ApiKeyOptionsValidator().Validate(null, options);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
