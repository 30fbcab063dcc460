using System.Globalization;
using FunctionApp.Testing;
using FunctionsApiKey;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// <c>dotnet apikeys verify</c> reads a key from standard input and answers as the app would: exit 0 when it would
/// accept it, 1 when not. A mistyped key is caught by its checksum before the vault is asked anything, and the key is
/// never printed.
/// </summary>
public sealed class VerifyCommandTests(ToolVaultFixture fixture) : IClassFixture<ToolVaultFixture>
{
    [Theory]
    [InlineData("plain", "")]
    [InlineData("lf", "\n")]
    [InlineData("crlf", "\r\n")]
    public async Task AValidKeyIsAcceptedWithOrWithoutATrailingLineBreak(string name, string lineBreak)
    {
        var key = Seed("verify-" + name, new() { ["scopes"] = "SecureEndpoint" });

        var run = (await fixture.RunWithInputAsync(key + lineBreak, "verify")).AssertExitCode(0);

        Assert.Equal(
            ["Checksum:  valid", $"Key:       verify-{name}", "Accepted:  yes, for scopes SecureEndpoint"],
            run.OutputLines);
        AssertNeverPrinted(key, run);
    }

    [Fact]
    public async Task AKeyWithOneCharacterChangedFailsItsChecksumWithoutAskingTheVault()
    {
        var key = Seed("verify-typo", new() { ["scopes"] = "*" });
        var requests = fixture.Vault.Requests.Count;

        var typo = ToolKeys.WithOneCharacterChanged(key);
        var run = (await fixture.RunWithInputAsync(typo + "\n", "verify")).AssertExitCode(1);

        Assert.Equal(
            ["Checksum:  does not match: the key was mistyped, truncated or made up", "Accepted:  no: the app refuses this value before looking it up"],
            run.OutputLines);
        Assert.Equal(requests, fixture.Vault.Requests.Count);
        AssertNeverPrinted(typo, run);
    }

    [Fact]
    public async Task AKeyTheVaultDoesNotHoldIsUnknown()
    {
        Seed("verify-other", new() { ["scopes"] = "*" });
        var key = ApiKeyFormat.Generate();

        var run = (await fixture.RunWithInputAsync(key, "verify")).AssertExitCode(1);

        Assert.Equal(["Checksum:  valid", "Key:       none in vault myvault.vault.azure.net", "Accepted:  no: unknown key"], run.OutputLines);
        AssertNeverPrinted(key, run);
    }

    [Fact]
    public async Task ARevokedKeyIsRefusedAsUnknownBecauseTheVaultHidesADisabledSecretsValue()
    {
        // A fresh instance of the app cannot match it either; one that read it before revocation names it (RevokeCommandTests).
        var key = Seed("verify-revoked", new() { ["scopes"] = "*" }, enabled: false);

        var run = (await fixture.RunWithInputAsync(key, "verify")).AssertExitCode(1);

        Assert.Equal(["Checksum:  valid", "Key:       none in vault myvault.vault.azure.net", "Accepted:  no: unknown key"], run.OutputLines);
        AssertNeverPrinted(key, run);
    }

    [Theory]
    [InlineData("verify-expired", -2, "no: expired at {0}")]
    [InlineData("verify-future", 48, "no: not valid before {0}")]
    public async Task AKeyOutsideItsValidityWindowIsRefusedNamingTheTime(string name, int hoursFromNow, string answer)
    {
        // The window's edge in the past is its expiry, in the future its start.
        var edge = ToolVaultFixture.WholeSeconds(DateTimeOffset.UtcNow.AddHours(hoursFromNow));
        var key = hoursFromNow < 0 ? Seed(name, new() { ["scopes"] = "*" }, expiresOn: edge) : Seed(name, new() { ["scopes"] = "*" }, notBefore: edge);

        var run = (await fixture.RunWithInputAsync(key, "verify")).AssertExitCode(1);

        Assert.Equal(["Checksum:  valid", $"Key:       {name}", "Accepted:  " + string.Format(CultureInfo.InvariantCulture, answer, ToolOutput.Time(edge))], run.OutputLines);
        AssertNeverPrinted(key, run);
    }

    [Fact]
    public async Task AKeyGivenAsAnArgumentIsRefusedPointingToStandardInputWithoutPrintingIt()
    {
        var key = Seed("verify-argument", new() { ["scopes"] = "*" });
        var requests = fixture.Vault.Requests.Count;

        var run = (await fixture.RunAsync("verify", key)).AssertExitCode(2);

        Assert.Empty(run.Output);
        Assert.Equal("error: verify reads the key from standard input, so that it stays out of shell history and process lists: dotnet apikeys verify < key.txt", run.Error.TrimEnd());
        Assert.Equal(requests, fixture.Vault.Requests.Count);
        AssertNeverPrinted(key, run);
    }

    [Fact]
    public async Task NothingOnStandardInputIsABadArgument()
    {
        var run = (await fixture.RunWithInputAsync(string.Empty, "verify")).AssertExitCode(2);

        Assert.Empty(run.Output);
        Assert.Contains("verify reads the key from standard input", run.Error, StringComparison.Ordinal);
    }

    private string Seed(string name, Dictionary<string, string> tags, bool enabled = true, DateTimeOffset? notBefore = null, DateTimeOffset? expiresOn = null)
    {
        var key = ApiKeyFormat.Generate();
        fixture.Vault.SetSecret("apikey-" + name, TestKeys.Sha256Text(key), tags, enabled, notBefore, expiresOn);
        return key;
    }

    private static void AssertNeverPrinted(string key, ProcessRun run)
    {
        Assert.DoesNotContain(key, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, run.Error, StringComparison.Ordinal);
    }
}
