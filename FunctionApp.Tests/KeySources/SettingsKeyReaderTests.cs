using FunctionApp.Testing;
using FunctionApp.Tests.KeyVault;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;
using FunctionsApiKey.KeySources;
using Microsoft.Extensions.Configuration;

namespace FunctionApp.Tests.KeySources;

/// <summary>Keys written in settings: every mistake stops startup with a message naming the setting, never its value.</summary>
public sealed class SettingsKeyReaderTests
{
    [Theory]
    [InlineData("ExpiresOn", "", "ApiKeys:Keys:partner:ExpiresOn is empty; set an ISO 8601 time such as 2027-01-31T00:00:00Z, or remove the setting.")]
    [InlineData("ExpiresOn", "   ", "ApiKeys:Keys:partner:ExpiresOn is empty; set an ISO 8601 time such as 2027-01-31T00:00:00Z, or remove the setting.")]
    [InlineData("NotBefore", "\t", "ApiKeys:Keys:partner:NotBefore is empty; set an ISO 8601 time such as 2027-01-31T00:00:00Z, or remove the setting.")]
    [InlineData("ExpiresOn", "12/01/2026", "ApiKeys:Keys:partner:ExpiresOn '12/01/2026' is not an ISO 8601 date and time; write it as 2027-01-31T00:00:00Z (a date alone means midnight UTC, a time without an offset is UTC).")]
    [InlineData("ExpiresOn", "1 December 2026", "ApiKeys:Keys:partner:ExpiresOn '1 December 2026' is not an ISO 8601 date and time; write it as 2027-01-31T00:00:00Z (a date alone means midnight UTC, a time without an offset is UTC).")]
    [InlineData("NotBefore", "2026-12-01 10:00", "ApiKeys:Keys:partner:NotBefore '2026-12-01 10:00' is not an ISO 8601 date and time; write it as 2027-01-31T00:00:00Z (a date alone means midnight UTC, a time without an offset is UTC).")]
    [InlineData("Scopes", "", "ApiKeys:Keys:partner:Scopes is empty; list the scopes the key may call, or set it to * to allow every function.")]
    [InlineData("Scopes", " , ,", "ApiKeys:Keys:partner:Scopes is empty; list the scopes the key may call, or set it to * to allow every function.")]
    [InlineData("Scopes:0", "reports", "ApiKeys:Keys:partner:Scopes:0 is not a key property; write ApiKeys:Keys:partner:Scopes as one value, the scopes separated by spaces or commas, not as a list.")]
    [InlineData("Enabled:0", "false", "ApiKeys:Keys:partner:Enabled:0 is not a key property; write ApiKeys:Keys:partner:Enabled as one value, not as a list.")]
    [InlineData("ExpiresOn:0", "2020-01-01", "ApiKeys:Keys:partner:ExpiresOn:0 is not a key property; write ApiKeys:Keys:partner:ExpiresOn as one value, not as a list.")]
    [InlineData("NotBefore:0", "2099-01-01", "ApiKeys:Keys:partner:NotBefore:0 is not a key property; write ApiKeys:Keys:partner:NotBefore as one value, not as a list.")]
    [InlineData("Scopes:reports", "true", "ApiKeys:Keys:partner:Scopes:reports is not a key property; write ApiKeys:Keys:partner:Scopes as one value, the scopes separated by spaces or commas, not as a list.")]
    [InlineData("Expires", "2020-01-01", "ApiKeys:Keys:partner:Expires is not a key property; use Scopes, NotBefore, ExpiresOn, Enabled.")]
    [InlineData("Scope:0", "reports", "ApiKeys:Keys:partner:Scope is not a key property; use Scopes, NotBefore, ExpiresOn, Enabled.")]
    public void AMistakeInAKeyPropertyIsAnErrorNamingTheSetting(string property, string value, string expected)
    {
        var (keys, errors) = Read(new() { ["partner"] = TestKeys.NewValue(), [$"partner:{property}"] = value });

        Assert.Empty(keys);
        Assert.Equal([expected], errors);
    }

    [Theory]
    [MemberData(nameof(ScopesMisspellings.Names), MemberType = typeof(ScopesMisspellings))]
    public void AMisspeltScopesPropertyIsAnErrorSoASettingsKeyNeedsNoStar(string property)
    {
        // Why settings keys may leave Scopes out for every function while vault keys may not: here a misspelling is
        // an unknown property, which stops the app, rather than a missing one.
        var (keys, errors) = Read(new() { ["partner"] = TestKeys.NewValue(), [$"partner:{property}"] = "reports" });

        Assert.Empty(keys);
        Assert.Equal([$"ApiKeys:Keys:partner:{property} is not a key property; use Scopes, NotBefore, ExpiresOn, Enabled."], errors);
    }

    [Theory]
    [InlineData("*")]
    [InlineData(" * ")]
    public void AStarAloneAllowsEveryFunctionAsNoScopesDoes(string written)
    {
        var (keys, errors) = Read(new() { ["partner"] = TestKeys.NewValue(), ["partner:Scopes"] = written });

        Assert.Empty(errors);
        Assert.Empty(Assert.Single(keys).Scopes);
    }

    [Fact]
    public void AStarAmongScopeNamesIsAnError()
    {
        var (keys, errors) = Read(new() { ["partner"] = TestKeys.NewValue(), ["partner:Scopes"] = "reports *" });

        Assert.Empty(keys);
        Assert.Equal(["ApiKeys:Keys:partner:Scopes mixes * with scope names; set it to * alone to allow every function, or list only the scopes the key may call."], errors);
    }

    [Fact]
    public void AListBesideTheSameWrittenPropertyIsStillAnError()
    {
        var (keys, errors) = Read(new() { ["partner"] = TestKeys.NewValue(), ["partner:Scopes"] = "reports", ["partner:Scopes:0"] = "admin" });

        Assert.Empty(keys);
        Assert.Equal(["ApiKeys:Keys:partner:Scopes:0 is not a key property; write ApiKeys:Keys:partner:Scopes as one value, the scopes separated by spaces or commas, not as a list."], errors);
    }

    [Theory]
    [InlineData("2027-01-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("2027-06-01", "2027-01-01")]
    [InlineData("2027-01-01T01:00:00+01:00", "2027-01-01T00:00:00Z")]
    public void AValidityWindowThatEndsBeforeItStartsIsAnError(string notBefore, string expiresOn)
    {
        var (keys, errors) = Read(new() { ["partner"] = TestKeys.NewValue(), ["partner:NotBefore"] = notBefore, ["partner:ExpiresOn"] = expiresOn });

        Assert.Empty(keys);
        Assert.Equal(["ApiKeys:Keys:partner:NotBefore is not before ApiKeys:Keys:partner:ExpiresOn, so the key could never be used; correct one of them."], errors);
    }

    [Theory]
    [InlineData("2027-01-31", "2027-01-31T00:00:00+00:00")]
    [InlineData("2027-01-31T10:30", "2027-01-31T10:30:00+00:00")]
    [InlineData("2027-01-31T10:30:15", "2027-01-31T10:30:15+00:00")]
    [InlineData("2027-01-31T10:30:15.250Z", "2027-01-31T10:30:15.25+00:00")]
    [InlineData("2027-01-31T12:30:00+02:00", "2027-01-31T10:30:00+00:00")]
    public void ISO8601TimesAreReadWithoutAnOffsetAsUtc(string written, string expected)
    {
        var (keys, errors) = Read(new() { ["partner"] = TestKeys.NewValue(), ["partner:ExpiresOn"] = written });

        Assert.Empty(errors);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Assert.Single(keys).ExpiresOn);
    }

    [Theory]
    [InlineData("reports,SecureEndpoint", new[] { "reports", "SecureEndpoint" })]
    [InlineData("reports, SecureEndpoint", new[] { "reports", "SecureEndpoint" })]
    [InlineData(" reports \t SecureEndpoint ", new[] { "reports", "SecureEndpoint" })]
    [InlineData("reports Reports REPORTS", new[] { "reports" })]
    public void ScopesAreSeparatedBySpacesOrCommasAndKeptOnceWhateverTheirCase(string written, string[] expected)
    {
        var (keys, errors) = Read(new() { ["partner"] = TestKeys.NewValue(), ["partner:Scopes"] = written });

        Assert.Empty(errors);
        Assert.Equal(expected, Assert.Single(keys).Scopes.ToArray());
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\n\n")]
    public void ATrailingLineBreakIsNotPartOfTheKey(string lineBreak)
    {
        var plain = TestKeys.NewValue();
        var hashed = TestKeys.NewValue();

        var (keys, errors) = Read(new() { ["plain"] = plain + lineBreak, ["hashed"] = TestKeys.Sha256Text(hashed) + lineBreak });

        Assert.Empty(errors);
        Assert.True(TestKeys.HasValue(keys.Single(k => k.Name == "plain"), plain));
        Assert.True(TestKeys.HasValue(keys.Single(k => k.Name == "hashed"), hashed));
    }

    [Fact]
    public void ALineBreakInsideAKeyIsStillRefused()
    {
        var (keys, errors) = Read(new() { ["broken"] = "first-half\nsecond-half" });

        Assert.Empty(keys);
        Assert.Equal(["ApiKeys:Keys:broken is not a usable key: it must be 1 to 512 visible ASCII characters with no comma or whitespace."], errors);
    }

    [Fact]
    public void ADeclaredPropertyIsReadInItsCanonicalForm()
    {
        var (keys, errors) = Read(new() { ["partner"] = TestKeys.NewValue(), ["partner:Tier"] = " Gold " }, TestKeyProperties.Tier);

        Assert.Empty(errors);
        Assert.True(keys.Single().TryGetProperty(TestKeyProperties.Tier, out var tier));
        Assert.Equal("gold", tier);
        Assert.Equal("gold", keys.Single().Properties["tier"]);
    }

    [Fact]
    public void AMalformedDeclaredPropertyLeavesTheKeyOutNamingTheSetting()
    {
        var (keys, errors) = Read(new() { ["partner"] = TestKeys.NewValue(), ["partner:Region"] = "Mars", ["other"] = TestKeys.NewValue() }, TestKeyProperties.Region);

        Assert.Equal(["other"], keys.Select(k => k.Name));
        Assert.Equal(["ApiKeys:Keys:partner:Region is not EU or US."], errors);
    }

    [Fact]
    public void AnUndeclaredPropertyIsStillAnErrorNamingTheDeclaredOnes()
    {
        var (keys, errors) = Read(new() { ["partner"] = TestKeys.NewValue(), ["partner:Region"] = "EU" }, TestKeyProperties.Tier);

        Assert.Empty(keys);
        Assert.Equal(["ApiKeys:Keys:partner:Region is not a key property; use Scopes, NotBefore, ExpiresOn, Enabled, Tier."], errors);
    }

    private static (IReadOnlyList<FunctionsApiKey.ApiKey> Keys, IReadOnlyList<string> Errors) Read(Dictionary<string, string?> keys, params ApiKeyProperty[] properties)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(keys.Select(k => KeyValuePair.Create($"{SettingsKeyReader.SectionPath}:{k.Key}", k.Value)))
            .Build();
        return SettingsKeyReader.Read(configuration, properties);
    }
}
