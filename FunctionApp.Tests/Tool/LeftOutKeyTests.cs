using System.Text.Json;
using FunctionApp.Testing;
using FunctionsApiKey;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// A vault key the app leaves out (here its scopes tag is misspelt <c>scope</c>): <c>show</c>, <c>list</c> and
/// <c>verify</c> say so with the app's reason, and <c>rotate</c> refuses it and stores nothing, since the successor's
/// scopes could only be guessed; once the tag is fixed, rotation carries the scopes over.
/// </summary>
public sealed class LeftOutKeyTests(ToolVaultFixture fixture) : IClassFixture<ToolVaultFixture>
{
    private const string Reason = "it has a tag named 'scope', which looks like the 'scopes' tag but is not it; name the tag exactly 'scopes'";

    [Fact]
    public async Task ShowSaysTheAppLeavesTheKeyOutAndWhy()
    {
        Seed("misspelt-show");

        var grid = (await fixture.RunAsync("show", "misspelt-show")).AssertExitCode(0);
        var json = (await fixture.RunAsync("show", "misspelt-show", "--json")).AssertExitCode(0);

        Assert.Contains($"left out by the app: {Reason}", string.Join(' ', grid.OutputLines.Select(l => l.Trim())), StringComparison.Ordinal);
        Assert.Matches(@"^Scopes\s+-$", grid.Row("Scopes"));
        Assert.DoesNotContain("every function", grid.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("active", grid.Output, StringComparison.Ordinal);
        using var key = JsonDocument.Parse(json.Output);
        Assert.Equal(Reason, key.RootElement.GetProperty("leftOut").GetString());
    }

    [Fact]
    public async Task ListMarksTheKeyLeftOutAndSaysWhy()
    {
        Seed("misspelt-list");

        var run = (await fixture.RunAsync("list")).AssertExitCode(0);

        Assert.Matches(@"^misspelt-list\s+-\s+no \(left out\)\s", run.Row("misspelt-list"));
        Assert.Contains($"Warning: the app leaves out 'misspelt-list': {Reason}.", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyRefusesTheKeyWithTheAppsReason()
    {
        var key = Seed("misspelt-verify");

        var run = (await fixture.RunWithInputAsync(key, "verify")).AssertExitCode(1);

        Assert.Equal(["Checksum:  valid", "Key:       misspelt-verify", $"Accepted:  no: the app leaves this key out: {Reason}"], run.OutputLines);
    }

    [Fact]
    public async Task RotateRefusesTheKeyAndStoresNothingUntilTheTagIsFixedThenCarriesItsScopesOver()
    {
        Seed("misspelt-rotate");
        var before = fixture.Vault.StoredVersions("apikey-misspelt-rotate");

        var refused = (await fixture.RunAsync("rotate", "misspelt-rotate")).AssertExitCode(2);

        Assert.Empty(refused.Output);
        Assert.Contains($"The app leaves 'misspelt-rotate' out: {Reason}. Fix that first", refused.Error, StringComparison.Ordinal);
        Assert.Null(fixture.Vault.StoredSecret("apikey-misspelt-rotate-v2"));
        Assert.Equal(before, fixture.Vault.StoredVersions("apikey-misspelt-rotate"));

        fixture.Vault.UpdateSecret("apikey-misspelt-rotate", v => v with { Tags = new Dictionary<string, string> { ["scopes"] = "reports" } });
        var rotated = (await fixture.RunAsync("rotate", "misspelt-rotate")).AssertExitCode(0);

        var successor = fixture.Vault.StoredSecret("apikey-misspelt-rotate-v2");
        Assert.NotNull(successor);
        Assert.Equal(TestKeys.Sha256Text(Assert.Single(rotated.OutputLines)), successor.Value);
        Assert.Equal("reports", successor.Tags["scopes"]);
    }

    [Fact]
    public async Task AKeyWithoutAScopesTagIsShownLeftOutWithWhatToWriteUnlessTheAppKeepsTheOldMeaning()
    {
        fixture.Vault.SetSecret("apikey-untagged-show", TestKeys.Sha256Text(ApiKeyFormat.Generate()));
        var migrating = fixture.Environment();
        migrating["ApiKeys__KeysWithoutScopes"] = "EveryFunction";

        var refused = (await fixture.RunAsync("show", "untagged-show")).AssertExitCode(0);
        var allowed = (await ApiKeysTool.RunAsync(migrating, ["show", "untagged-show"])).AssertExitCode(0);

        Assert.Contains("left out by the app: it has no scopes tag; tag it scopes=* to allow every function, or scopes=<names> to limit it", string.Join(' ', refused.OutputLines.Select(l => l.Trim())), StringComparison.Ordinal);
        Assert.Matches(@"^Scopes\s+-$", refused.Row("Scopes"));
        Assert.Matches(@"^Scopes\s+\(every function\)$", allowed.Row("Scopes"));
        Assert.Matches(@"^State\s+active$", allowed.Row("State"));
    }

    private string Seed(string name)
    {
        var key = ApiKeyFormat.Generate();
        fixture.Vault.SetSecret("apikey-" + name, TestKeys.Sha256Text(key), new Dictionary<string, string> { ["scope"] = "reports" });
        return key;
    }
}
