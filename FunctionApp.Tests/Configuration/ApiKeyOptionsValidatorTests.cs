using FunctionApp.Configuration;
using Microsoft.Extensions.Configuration;

namespace FunctionApp.Tests.Configuration;

public sealed class ApiKeyOptionsValidatorTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.True(Validate(new ApiKeyOptions()).Succeeded);

    [Fact]
    public void TheKeyRingAgeLimitCanBeTurnedOff() => Assert.True(Validate(Bind(new() { ["ApiKeys:MaxKeyRingAge"] = "00:00:00" })).Succeeded);

    [Theory]
    [InlineData("HeaderName", "api key", "ApiKeys:HeaderName 'api key' is not a valid HTTP header name")]
    [InlineData("HeaderName", "", "ApiKeys:HeaderName '' is not a valid HTTP header name")]
    [InlineData("MaxKeyLength", "8", "ApiKeys:MaxKeyLength must be between 16 and 8192 (default 512); it is 8.")]
    [InlineData("RefreshInterval", "00:00:00.500", "ApiKeys:RefreshInterval must be between 00:00:01 and 1.00:00:00 (default 00:05:00); it is 00:00:00.5000000.")]
    [InlineData("RefreshInterval", "60.00:00:00", "ApiKeys:RefreshInterval must be between 00:00:01 and 1.00:00:00 (default 00:05:00); it is 60.00:00:00.")]
    [InlineData("MaxKeyRingAge", "00:05:00", "ApiKeys:MaxKeyRingAge must be 00:00:00 (no limit) or between twice RefreshInterval and 30.00:00:00")]
    [InlineData("MaxKeyRingAge", "60.00:00:00", "ApiKeys:MaxKeyRingAge must be 00:00:00 (no limit) or between twice RefreshInterval and 30.00:00:00")]
    [InlineData("RefreshJitter", "00:10:00", "ApiKeys:RefreshJitter must be zero or more and less than RefreshInterval")]
    [InlineData("FirstLoadTimeout", "01:00:00", "ApiKeys:FirstLoadTimeout must be between 00:00:00 and 00:05:00")]
    [InlineData("MaxParallelFetches", "0", "ApiKeys:MaxParallelFetches must be between 1 and 64 (default 32); it is 0.")]
    [InlineData("KeyVaultUri", "http://myvault.vault.azure.net/", "ApiKeys:KeyVaultUri must be the vault's https URI with no path")]
    [InlineData("KeyVaultUri", "https://myvault.vault.azure.net/secrets", "ApiKeys:KeyVaultUri must be the vault's https URI with no path")]
    public void ABadSettingIsNamedWithItsFix(string setting, string value, string expected)
    {
        var options = Bind(new() { [$"ApiKeys:{setting}"] = value });

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void ABadPrefixIsRefusedWhenKeyVaultIsUsed()
    {
        var result = Validate(Bind(new() { ["ApiKeys:KeyVaultUri"] = "https://myvault.vault.azure.net/", ["ApiKeys:SecretPrefix"] = "api_key_" }));

        Assert.Contains("ApiKeys:SecretPrefix must be letters, digits and '-' as in a Key Vault secret name (default 'apikey-'); it is 'api_key_'.", result.Failures!);
    }

    [Fact]
    public void SettingsKeysAreCheckedAtStartupWithoutQuotingTheirValues()
    {
        var secret = "has spaces " + TestKeys.NewValue();
        var configuration = new Dictionary<string, string?>
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
        };

        var result = Validate(Bind(configuration), configuration);

        Assert.Equal(
        [
            "ApiKeys:Keys:badhash starts with sha256: but is not followed by exactly 64 hexadecimal digits.",
            "ApiKeys:Keys:blank-scopes:Scopes is empty; list the scopes the key may call, or remove the setting to allow every function.",
            "ApiKeys:Keys:late:ExpiresOn 'next tuesday' is not an ISO 8601 date and time; write it as 2027-01-31T00:00:00Z (a date alone means midnight UTC, a time without an offset is UTC).",
            "ApiKeys:Keys:novalue has no value; set it to the key, or to sha256:<64 hex digits> of the key.",
            "ApiKeys:Keys:spaces is not a usable key: it must be 1 to 512 visible ASCII characters with no comma or whitespace.",
            "ApiKeys:Keys:typo:Scope is not a key property; use Scopes, NotBefore, ExpiresOn.",
        ], result.Failures!.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(result.Failures!, f => f.Contains(secret[11..], StringComparison.Ordinal));
    }

    private static ApiKeyOptions Bind(Dictionary<string, string?> values)
    {
        var options = new ApiKeyOptions();
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(ApiKeyOptions.SectionName).Bind(options);
        return options;
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(ApiKeyOptions options, Dictionary<string, string?>? configuration = null) =>
        new ApiKeyOptionsValidator(new ConfigurationBuilder().AddInMemoryCollection(configuration ?? []).Build()).Validate(null, options);
}
