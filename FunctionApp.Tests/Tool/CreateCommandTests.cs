using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionsApiKey;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// <c>dotnet apikeys create</c> against the fake vault: the key goes to standard output and nowhere else, the vault
/// holds only its SHA-256 with the scopes and validity window, and a taken name or a bad argument changes nothing.
/// </summary>
public sealed class CreateCommandTests(ToolVaultFixture fixture) : IClassFixture<ToolVaultFixture>
{
    [Fact]
    public async Task PrintsOnlyTheKeyAndTheVaultHoldsItsHashWithScopesAndExpiry()
    {
        var before = DateTimeOffset.UtcNow;
        var run = (await fixture.RunAsync("create", "partner-a", "--scopes", "SecureEndpoint", "reports", "--ttl", "90d")).AssertExitCode(0);
        var after = DateTimeOffset.UtcNow;

        var key = Assert.Single(run.OutputLines);
        Assert.Matches(ToolKeys.IssuedKey(), key);
        Assert.Equal(ApiKeyFormatCheck.Valid, ApiKeyFormat.Check(key, ApiKeyFormat.DefaultPrefix));
        Assert.Contains("Created key 'partner-a' in vault myvault.vault.azure.net: scopes SecureEndpoint reports", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(key, run.Error, StringComparison.Ordinal);

        var secret = fixture.Vault.StoredSecret("apikey-partner-a");
        Assert.NotNull(secret);
        Assert.Equal(TestKeys.Sha256Text(key), secret.Value);
        Assert.Equal("SecureEndpoint reports", secret.Tags["scopes"]);
        Assert.True(secret.Enabled);
        Assert.Null(secret.NotBefore);
        Assert.InRange(secret.ExpiresOn!.Value, ToolVaultFixture.WholeSeconds(before.AddDays(90)), after.AddDays(90));
    }

    [Fact]
    public async Task WithStandardOutputClosedTheKeyNobodyReceivedIsLeftRevoked()
    {
        var (exitCode, error) = await ApiKeysTool.RunWithStandardOutputClosedAsync(fixture.Environment(), ["create", "partner-unheard", "--scopes", "reports"]);

        Assert.Equal(11, exitCode);
        Assert.Contains("The key could not be written to standard output", error, StringComparison.Ordinal);
        Assert.Contains("'partner-unheard' is left revoked in vault myvault.vault.azure.net", error, StringComparison.Ordinal);
        var secret = Assert.Single(fixture.Vault.StoredVersions("apikey-partner-unheard"));
        Assert.False(secret.Enabled);
    }

    [Fact]
    public async Task ExpiresAndNotBeforeAreStoredAsGiven()
    {
        var run = (await fixture.RunAsync("create", "partner-dated", "--not-before", "2030-01-01T12:00:00Z", "--expires", "2031-06-30")).AssertExitCode(0);

        var secret = fixture.Vault.StoredSecret("apikey-partner-dated");
        Assert.NotNull(secret);
        Assert.Equal(TestKeys.Sha256Text(Assert.Single(run.OutputLines)), secret.Value);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero), secret.NotBefore);
        Assert.Equal(new DateTimeOffset(2031, 6, 30, 0, 0, 0, TimeSpan.Zero), secret.ExpiresOn);
        Assert.Equal("*", secret.Tags["scopes"]);
        Assert.Contains("scopes (every function), valid from 2030-01-01 12:00Z until 2031-06-30 00:00Z", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANameThatIsTakenIsRefusedAndTheKeyThereIsKept()
    {
        var held = fixture.Vault.SetSecret("apikey-taken", TestKeys.Sha256Text(ApiKeyFormat.Generate()), tags: KeyTags.EveryFunction);

        var run = (await fixture.RunAsync("create", "taken")).AssertExitCode(4);

        Assert.Empty(run.Output);
        Assert.Contains("A key named 'taken' already exists in vault myvault.vault.azure.net", run.Error, StringComparison.Ordinal);
        Assert.Equal([held], fixture.Vault.StoredVersions("apikey-taken"));
    }

    [Fact]
    public async Task ANameADeletedSecretStillHoldsIsRefused()
    {
        fixture.Vault.SetSecret("apikey-deleted", TestKeys.Sha256Text(ApiKeyFormat.Generate()), tags: KeyTags.EveryFunction);
        fixture.Vault.DeleteSecret("apikey-deleted");

        var run = (await fixture.RunAsync("create", "deleted")).AssertExitCode(4);

        Assert.Empty(run.Output);
        Assert.Contains("The name 'deleted' is taken by a deleted key", run.Error, StringComparison.Ordinal);
        Assert.Contains("az keyvault secret recover --name apikey-deleted", run.Error, StringComparison.Ordinal);
        Assert.Null(fixture.Vault.StoredSecret("apikey-deleted"));
    }

    [Theory]
    [InlineData("NAME 'partner_a'", "create", "partner_a")]
    [InlineData("NAME 'partner.a'", "create", "partner.a")]
    [InlineData("--expires '30/06/2031'", "create", "bad-expires", "--expires", "30/06/2031")]
    [InlineData("--expires 2020-01-01T00:00:00Z is in the past", "create", "past-expires", "--expires", "2020-01-01")]
    [InlineData("--not-before 'tomorrow'", "create", "bad-not-before", "--not-before", "tomorrow")]
    [InlineData("--not-before is not before the expiry", "create", "empty-window", "--not-before", "2031-01-01", "--expires", "2030-01-01")]
    [InlineData("--ttl '90 days'", "create", "bad-ttl", "--ttl", "90 days")]
    [InlineData("--ttl '0d' must be 1m to 3650d", "create", "zero-ttl", "--ttl", "0d")]
    [InlineData("Give --expires or --ttl, not both", "create", "both", "--ttl", "90d", "--expires", "2031-01-01")]
    [InlineData("--scopes: 'Secure/Endpoint' is not a scope", "create", "bad-scope", "--scopes", "Secure/Endpoint")]
    public async Task ABadArgumentIsRefusedNamingItBeforeTheVaultIsAsked(string message, params string[] arguments)
    {
        var requests = fixture.Vault.Requests.Count;

        var run = (await fixture.RunAsync(arguments)).AssertExitCode(2);

        Assert.Empty(run.Output);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Equal(requests, fixture.Vault.Requests.Count);
        Assert.Null(fixture.Vault.StoredSecret("apikey-" + arguments[1]));
    }

    [Fact]
    public async Task ANameTooLongForASecretNameIsRefused()
    {
        var name = new string('a', 121);

        var run = (await fixture.RunAsync("create", name)).AssertExitCode(2);

        Assert.Contains($"NAME '{name}' is not a key name: use 1 to 120 letters, digits and '-'", run.Error, StringComparison.Ordinal);
        Assert.Null(fixture.Vault.StoredSecret("apikey-" + name));
    }
}
