using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// <c>dotnet apikeys rotate</c>: a new key for the same caller under the next <c>-vN</c> name with the same scopes and
/// lifetime, stored before the old key's expiry is brought forward to now plus the overlap.
/// </summary>
public sealed class RotateCommandTests(ToolVaultFixture fixture) : IClassFixture<ToolVaultFixture>
{
    [Fact]
    public async Task IssuesNameV2WithTheSameScopesAndLifetimeAndShortensTheOldKey()
    {
        var created = DateTimeOffset.UtcNow;
        var oldKey = Assert.Single((await fixture.RunAsync("create", "partner-b", "--scopes", "SecureEndpoint", "reports", "--ttl", "30d")).AssertExitCode(0).OutputLines);
        var old = fixture.Vault.StoredSecret("apikey-partner-b")!;
        // The old key's lifetime runs from its creation time, which the vault stamps a moment after the tool's start.
        var stamping = old.Created - ToolVaultFixture.WholeSeconds(created);

        var before = DateTimeOffset.UtcNow;
        var run = (await fixture.RunAsync("rotate", "partner-b", "--overlap", "2d")).AssertExitCode(0);
        var after = DateTimeOffset.UtcNow;

        var newKey = Assert.Single(run.OutputLines);
        Assert.Matches(ToolKeys.IssuedKey(), newKey);
        Assert.NotEqual(oldKey, newKey);
        var replacement = fixture.Vault.StoredSecret("apikey-partner-b-v2");
        Assert.NotNull(replacement);
        Assert.Equal(TestKeys.Sha256Text(newKey), replacement.Value);
        Assert.Equal("SecureEndpoint reports", replacement.Tags["scopes"]);
        Assert.Equal("partner-b", replacement.Tags["rotated-from"]);
        Assert.True(replacement.Enabled);
        Assert.InRange(replacement.ExpiresOn!.Value, ToolVaultFixture.WholeSeconds(before.AddDays(30)) - stamping - TimeSpan.FromSeconds(2), after.AddDays(30).AddSeconds(2));

        var shortened = Assert.Single(fixture.Vault.StoredVersions("apikey-partner-b"));
        Assert.Equal(old.Value, shortened.Value);
        Assert.True(shortened.Enabled);
        Assert.InRange(shortened.ExpiresOn!.Value, ToolVaultFixture.WholeSeconds(before.AddDays(2)), after.AddDays(2));
        Assert.Contains("Issued 'partner-b-v2' for the caller of 'partner-b' (scopes SecureEndpoint reports", run.Error, StringComparison.Ordinal);
        Assert.Contains($"'partner-b' now expires at {ToolOutput.Time(shortened.ExpiresOn.Value)}", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(newKey, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotatingTheReplacementGivesV3()
    {
        (await fixture.RunAsync("create", "partner-c", "--scopes", "SecureEndpoint")).AssertExitCode(0);
        (await fixture.RunAsync("rotate", "partner-c")).AssertExitCode(0);

        var run = (await fixture.RunAsync("rotate", "partner-c-v2")).AssertExitCode(0);

        var third = fixture.Vault.StoredSecret("apikey-partner-c-v3");
        Assert.NotNull(third);
        Assert.Equal(TestKeys.Sha256Text(Assert.Single(run.OutputLines)), third.Value);
        Assert.Equal("SecureEndpoint", third.Tags["scopes"]);
        Assert.Equal("partner-c-v2", third.Tags["rotated-from"]);
        Assert.Null(third.ExpiresOn);
        Assert.NotNull(fixture.Vault.StoredSecret("apikey-partner-c-v2")!.ExpiresOn);
    }

    [Fact]
    public async Task AnOldKeyThatExpiresBeforeTheOverlapEndsKeepsItsExpiry()
    {
        var expires = ToolVaultFixture.WholeSeconds(DateTimeOffset.UtcNow.AddDays(1));
        (await fixture.RunAsync("create", "partner-d", "--expires", expires.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", System.Globalization.CultureInfo.InvariantCulture))).AssertExitCode(0);

        (await fixture.RunAsync("rotate", "partner-d", "--overlap", "7d")).AssertExitCode(0);

        Assert.Equal(expires, fixture.Vault.StoredSecret("apikey-partner-d")!.ExpiresOn);
        Assert.NotNull(fixture.Vault.StoredSecret("apikey-partner-d-v2"));
    }

    [Fact]
    public async Task AnUnknownKeyIsExit3AndNothingIsIssued()
    {
        var run = (await fixture.RunAsync("rotate", "nobody")).AssertExitCode(3);

        Assert.Empty(run.Output);
        Assert.Contains("There is no key named 'nobody'", run.Error, StringComparison.Ordinal);
        Assert.Null(fixture.Vault.StoredSecret("apikey-nobody-v2"));
    }

    [Fact]
    public async Task ARevokedKeyIsNotRotated()
    {
        fixture.Vault.SetSecret("apikey-partner-e", TestKeys.Sha256Text(FunctionsApiKey.ApiKeyFormat.Generate()), enabled: false, tags: KeyTags.EveryFunction);

        var run = (await fixture.RunAsync("rotate", "partner-e")).AssertExitCode(2);

        Assert.Empty(run.Output);
        Assert.Contains("'partner-e' is revoked, so there is no access to carry over", run.Error, StringComparison.Ordinal);
        Assert.Null(fixture.Vault.StoredSecret("apikey-partner-e-v2"));
    }
}
