using FunctionApp.Testing;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey.KeySources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FunctionApp.Tests.KeySources;

public sealed class SettingsApiKeySourceTests
{
    private readonly FakeLogCollector _logs = new();

    [Fact]
    public async Task ReadsKeysWrittenAsEnvironmentVariablesWithScopesAndTimes()
    {
        var plain = TestKeys.NewValue();
        var hashed = TestKeys.NewValue();
        var source = Create(Environments.Development, new()
        {
            ["ApiKeys__Keys__tutorial"] = plain,
            ["ApiKeys__Keys__partner"] = TestKeys.Sha256Text(hashed),
            ["ApiKeys__Keys__partner__Scopes"] = "reports SecureEndpoint",
            ["ApiKeys__Keys__partner__NotBefore"] = "2026-01-01T00:00:00Z",
            ["ApiKeys__Keys__partner__ExpiresOn"] = "2027-01-31T12:30:00+01:00",
        });

        var keys = await source.LoadKeysAsync();

        var tutorial = keys.Single(k => k.Name == "tutorial");
        Assert.True(TestKeys.HasValue(tutorial, plain));
        Assert.Empty(tutorial.Scopes);
        Assert.Null(tutorial.ExpiresOn);

        var partner = keys.Single(k => k.Name == "partner");
        Assert.True(TestKeys.HasValue(partner, hashed));
        Assert.Equal(["reports", "SecureEndpoint"], partner.Scopes.ToArray());
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), partner.NotBefore);
        Assert.Equal(new DateTimeOffset(2027, 1, 31, 11, 30, 0, TimeSpan.Zero), partner.ExpiresOn);
        Assert.Empty(_logs.GetSnapshot());
    }

    [Fact]
    public async Task WarnsOnceWhenUsedOutsideDevelopment()
    {
        var source = Create(Environments.Production, new() { ["ApiKeys__Keys__tutorial"] = TestKeys.NewValue() });

        await source.LoadKeysAsync();
        await source.LoadKeysAsync();

        var warning = Assert.Single(_logs.GetSnapshot());
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("API keys come from application settings in the Production environment; set ApiKeys:KeyVaultUri to keep them in Azure Key Vault", warning.Message);
    }

    [Theory]
    [InlineData("false", true)]
    [InlineData("False", true)]
    [InlineData("true", false)]
    public async Task EnabledFalseRevokesTheKeyButKeepsItKnown(string enabled, bool revoked)
    {
        var value = TestKeys.NewValue();
        var source = Create(Environments.Development, new() { ["ApiKeys__Keys__retired"] = value, ["ApiKeys__Keys__retired__Enabled"] = enabled });

        var key = Assert.Single(await source.LoadKeysAsync());

        Assert.Equal("retired", key.Name);
        Assert.True(TestKeys.HasValue(key, value));
        Assert.Equal(revoked, key.IsRevoked);
    }

    [Fact]
    public async Task NoKeysAtAllIsAnEmptyList()
    {
        Assert.Empty(await Create(Environments.Development, []).LoadKeysAsync());
    }

    private SettingsApiKeySource Create(string environment, Dictionary<string, string?> variables)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(variables.Select(v => KeyValuePair.Create(v.Key.Replace("__", ":", StringComparison.Ordinal), v.Value))).Build();
        var host = new HostingEnvironment { EnvironmentName = environment };
        return new SettingsApiKeySource(configuration, host, [], TestLogging.Factory(_logs));
    }
}
