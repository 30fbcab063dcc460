using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// Key properties beyond scopes and validity in the tool: <c>create --property NAME=VALUE</c> stores one as the store
/// writes that name (a vault tag, a setting), <c>show</c> and <c>list --json</c> show them, and <c>rotate</c> carries every
/// one over, so a rotation never drops what bounds a key.
/// </summary>
public sealed class KeyPropertyTests(ToolVaultFixture fixture) : IClassFixture<ToolVaultFixture>
{
    [Fact]
    public async Task APropertyTheToolDoesNotKnowIsStoredAsWrittenShownAndSaidSo()
    {
        var run = (await fixture.RunAsync("create", "partner-tier", "--scopes", "SecureEndpoint", "--property", "Tier=gold")).AssertExitCode(0);

        var secret = fixture.Vault.StoredSecret("apikey-partner-tier")!;
        Assert.Equal("gold", secret.Tags["tier"]);
        Assert.Equal("SecureEndpoint", secret.Tags["scopes"]);
        Assert.Contains("The tool does not know the property Tier, so it stored the value as written: the app reads it only if it declares Tier (AddKeyProperty)", run.Error, StringComparison.Ordinal);

        var show = (await fixture.RunAsync("show", "partner-tier")).AssertExitCode(0);
        Assert.Matches(@"^Properties\s+tier=gold$", show.Row("Properties"));
        Assert.Matches(@"^State\s+active$", show.Row("State"));

        using var list = JsonDocument.Parse((await fixture.RunAsync("list", "--json")).AssertExitCode(0).Output);
        var listed = Assert.Single(list.RootElement.EnumerateArray(), k => k.GetProperty("name").GetString() == "partner-tier");
        Assert.Equal("""{"tier":"gold"}""", listed.GetProperty("properties").GetRawText().Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APolicyThePackagesDeclareIsCheckedAndWrittenInItsCanonicalForm()
    {
        var run = (await fixture.RunAsync("create", "partner-limited", "--property", "ratelimit=100/s  BURST 100", "--property", "Owner=contoso")).AssertExitCode(0);

        var secret = fixture.Vault.StoredSecret("apikey-partner-limited")!;
        Assert.Equal("100/s", secret.Tags["ratelimit"]);
        Assert.Equal("contoso", secret.Tags["owner"]);
        Assert.DoesNotContain("does not know", run.Error, StringComparison.Ordinal);
        Assert.Matches(@"^State\s+active$", (await fixture.RunAsync("show", "partner-limited")).AssertExitCode(0).Row("State"));
    }

    [Fact]
    public async Task AMalformedPolicyIsRefusedWithTheAppsReasonBeforeAnythingIsStored()
    {
        var run = await fixture.RunAsync("create", "partner-unlimited", "--property", "RateLimit=lots");

        run.AssertExitCode(2);
        Assert.Contains("--property RateLimit: the value does not start with a count of requests", run.Error, StringComparison.Ordinal);
        Assert.Null(fixture.Vault.StoredSecret("apikey-partner-unlimited"));
    }

    [Fact]
    public async Task RotationCarriesEveryOtherTagOverToTheNewKey()
    {
        (await fixture.RunAsync("create", "partner-team", "--scopes", "SecureEndpoint", "--property", "Tier=gold", "--property", "Team=ops")).AssertExitCode(0);

        (await fixture.RunAsync("rotate", "partner-team")).AssertExitCode(0);

        var replacement = fixture.Vault.StoredSecret("apikey-partner-team-v2")!;
        Assert.Equal(
            [("rotated-from", "partner-team"), ("scopes", "SecureEndpoint"), ("team", "ops"), ("tier", "gold")],
            replacement.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => (t.Key, t.Value)));
    }

    [Theory]
    [InlineData("Tier", "--property 'Tier' is not NAME=VALUE")]
    [InlineData("9tier=gold", "--property '9tier=gold' is not NAME=VALUE")]
    [InlineData("=gold", "--property '=gold' is not NAME=VALUE")]
    [InlineData("Scopes=*", "--property Scopes: set it with its own option (--scopes, --not-before, --expires), not as a property.")]
    [InlineData("expireson=2030-01-01", "--property expireson: set it with its own option")]
    public async Task AMalformedPropertyIsRefusedBeforeAnythingIsStored(string property, string expected)
    {
        var run = await fixture.RunAsync("create", "partner-refused", "--property", property);

        run.AssertExitCode(2);
        Assert.Empty(run.Output);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.Null(fixture.Vault.StoredSecret("apikey-partner-refused"));
    }

    [Fact]
    public async Task APropertyGivenTwiceIsRefused()
    {
        var run = await fixture.RunAsync("create", "partner-twice", "--property", "Tier=gold", "--property", "tier=silver");

        run.AssertExitCode(2);
        Assert.Contains("--property tier is given twice; give each property once.", run.Error, StringComparison.Ordinal);
        Assert.Null(fixture.Vault.StoredSecret("apikey-partner-twice"));
    }

    [Fact]
    public async Task InLocalSettingsAPropertyIsASettingAndTheKeyShowsAsTheAppWithoutItsDeclarationReadsIt()
    {
        var directory = Directory.CreateTempSubdirectory("apikeys-props-").FullName;
        try
        {
            var file = Path.Combine(directory, "local.settings.json");
            await File.WriteAllTextAsync(file, """{ "IsEncrypted": false, "Values": { "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated" } }""");

            (await ApiKeysTool.RunAsync(ApiKeysTool.CleanEnvironment(), ["create", "partner-local", "--local", "--settings", file, "--property", "Tier=gold"])).AssertExitCode(0);
            var show = (await ApiKeysTool.RunAsync(ApiKeysTool.CleanEnvironment(), ["show", "partner-local", "--local", "--settings", file])).AssertExitCode(0);

            var values = JsonNode.Parse(await File.ReadAllTextAsync(file))!["Values"]!.AsObject();
            Assert.Equal("gold", (string?)values["ApiKeys__Keys__partner-local__Tier"]);
            Assert.Matches(@"^Properties\s+Tier=gold$", show.Row("Properties"));
            // The app of this repository declares no Tier, so it leaves the key out; the tool says what that app does.
            Assert.Contains("left out by the app: ApiKeys:Keys:partner-local:Tier is not a key property", string.Join(' ', show.OutputLines.Select(l => l.Trim())), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
