using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionsApiKey;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// <c>dotnet apikeys migrate-scopes</c>: lists the vault keys with no scopes tag, which the app now leaves out, and
/// changes nothing; with <c>--apply</c> it tags exactly those <c>scopes=*</c>, keeping their other tags, so the app
/// uses them as before.
/// </summary>
public sealed class MigrateScopesCommandTests(ToolVaultFixture fixture) : IClassFixture<ToolVaultFixture>
{
    private static readonly string[] Names = ["legacy", "rotated", "typo", "lookalike", "limited", "explicit"];

    [Fact]
    public async Task ListsTheKeysWithoutAScopesTagThenTagsExactlyThoseScopesStar()
    {
        Seed("legacy", new Dictionary<string, string>());
        Seed("rotated", new Dictionary<string, string> { ["rotated-from"] = "legacy" });
        Seed("typo", new Dictionary<string, string> { ["scops"] = "reports" });
        Seed("lookalike", new Dictionary<string, string> { ["scope"] = "reports" });
        Seed("limited", KeyTags.Scopes("reports"));
        Seed("explicit", KeyTags.EveryFunction);
        var before = Versions();

        var dryRun = (await fixture.RunAsync("migrate-scopes")).AssertExitCode(0);

        Assert.Equal(["legacy", "rotated", "typo"], dryRun.OutputLines.Order());
        Assert.Equal(before, Versions());
        Assert.Contains("3 key(s) in vault myvault.vault.azure.net have no scopes tag", dryRun.Error, StringComparison.Ordinal);
        Assert.Contains("Warning: 'typo' has other tags (scops=reports): if one is a misspelt scopes tag, tag the key scopes=<names> instead.", dryRun.Error, StringComparison.Ordinal);

        var applied = (await fixture.RunAsync("migrate-scopes", "--apply")).AssertExitCode(0);

        Assert.Equal(["legacy", "rotated", "typo"], applied.OutputLines.Order());
        Assert.Equal("*", Tags("legacy")["scopes"]);
        Assert.Equal(new Dictionary<string, string> { ["rotated-from"] = "legacy", ["scopes"] = "*" }, Tags("rotated"));
        Assert.Equal(new Dictionary<string, string> { ["scope"] = "reports" }, Tags("lookalike"));
        Assert.Equal(before["apikey-limited"], Versions()["apikey-limited"]);
        Assert.Equal(before["apikey-explicit"], Versions()["apikey-explicit"]);
        Assert.Matches(@"^Scopes\s+\(every function\)$", (await fixture.RunAsync("show", "legacy")).AssertExitCode(0).Row("Scopes"));
        Assert.Empty((await fixture.RunAsync("migrate-scopes")).AssertExitCode(0).OutputLines);
    }

    [Fact]
    public async Task SettingsKeysNeedNoMigrationAndTheFileIsLeftAsItWas()
    {
        const string Settings = """{ "Values": { "ApiKeys__Keys__dev": "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" } }""";
        var file = Path.Combine(Directory.CreateTempSubdirectory("apikeys-migrate-").FullName, "local.settings.json");
        try
        {
            await File.WriteAllTextAsync(file, Settings);

            var run = (await ApiKeysTool.RunAsync(ApiKeysTool.CleanEnvironment(), ["migrate-scopes", "--local", "--settings", file])).AssertExitCode(2);

            Assert.Contains("migrate-scopes is for keys in Key Vault: a settings key without Scopes already means every function", run.Error, StringComparison.Ordinal);
            Assert.Equal(Settings, await File.ReadAllTextAsync(file));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    private void Seed(string name, IReadOnlyDictionary<string, string> tags) =>
        fixture.Vault.SetSecret("apikey-" + name, TestKeys.Sha256Text(ApiKeyFormat.Generate()), tags);

    private IReadOnlyDictionary<string, string> Tags(string name) => fixture.Vault.StoredSecret("apikey-" + name)!.Tags;

    private Dictionary<string, string> Versions() =>
        Names.ToDictionary(n => "apikey-" + n, n => string.Join(',', fixture.Vault.StoredVersions("apikey-" + n).Select(v => $"{v.Version}:{string.Join(';', v.Tags.Select(t => $"{t.Key}={t.Value}"))}")));
}
