using System.Text.Json;

namespace FunctionApp.Tests.Tool;

/// <summary><c>dotnet apikeys show</c>: one key's details and its state now, as the app would judge it; an unknown name is exit 3.</summary>
public sealed class ShowCommandTests(SeededVaultFixture fixture) : IClassFixture<SeededVaultFixture>
{
    [Theory]
    [InlineData("active", "active")]
    [InlineData("revoked", "revoked")]
    [InlineData("expired", "expired")]
    [InlineData("future", "not yet valid")]
    public async Task TheStateIsWhatTheAppWouldDoWithTheKeyNow(string name, string state)
    {
        var run = (await fixture.RunAsync("show", name)).AssertExitCode(0);

        Assert.Matches($@"^Name\s+{name}$", run.Row("Name"));
        Assert.Matches($@"^State\s+{state}$", run.Row("State"));
    }

    [Fact]
    public async Task TheGridShowsScopesWindowAndCreation()
    {
        var created = fixture.Vault.StoredSecret("apikey-active")!.Created;

        var run = (await fixture.RunAsync("show", "active")).AssertExitCode(0);

        Assert.Matches(@"^Scopes\s+SecureEndpoint reports$", run.Row("Scopes"));
        Assert.Matches(@"^Not before\s+-$", run.Row("Not before"));
        Assert.Matches($@"^Expires\s+{ToolOutput.Time(fixture.LongLived)}$", run.Row("Expires"));
        Assert.Matches($@"^Created\s+{ToolOutput.Time(created)}$", run.Row("Created"));
        Assert.DoesNotContain(run.OutputLines, l => l.StartsWith("Replaces", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAppWhoseSettingsNameNoLastUseTableGetsNoLastUsedLineAndNoWarning()
    {
        // What every new app's local.settings.json holds: were the tool to read last use by default, it would try Azurite here.
        var environment = fixture.Environment();
        environment["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";

        var grid = (await ApiKeysTool.RunAsync(environment, ["show", "active"])).AssertExitCode(0);
        var json = (await ApiKeysTool.RunAsync(environment, ["show", "active", "--json"])).AssertExitCode(0);

        Assert.Matches(@"^Name\s+active$", grid.Row("Name"));
        Assert.DoesNotContain(grid.OutputLines, l => l.StartsWith("Last used", StringComparison.Ordinal));
        using var key = JsonDocument.Parse(json.Output);
        Assert.Equal("active", key.RootElement.GetProperty("name").GetString());
        Assert.False(key.RootElement.TryGetProperty("lastUsed", out _));
        Assert.Empty(grid.Error);
        Assert.Empty(json.Error);
    }

    [Fact]
    public async Task ARotatedKeyNamesTheKeyItReplaces()
    {
        var run = (await fixture.RunAsync("show", "active-v2")).AssertExitCode(0);

        Assert.Matches(@"^Replaces\s+active$", run.Row("Replaces"));
        Assert.Matches(@"^Scopes\s+\(every function\)$", run.Row("Scopes"));
    }

    [Fact]
    public async Task JsonShowsTheKeyAlone()
    {
        var run = (await fixture.RunAsync("show", "revoked", "--json")).AssertExitCode(0);

        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("revoked", json.RootElement.GetProperty("name").GetString());
        Assert.False(json.RootElement.GetProperty("enabled").GetBoolean());
        Assert.Equal(["SecureEndpoint"], json.RootElement.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("expiresOn").ValueKind);
    }

    [Fact]
    public async Task AnUnknownNameIsExit3()
    {
        var run = (await fixture.RunAsync("show", "nobody")).AssertExitCode(3);

        Assert.Empty(run.Output);
        Assert.Contains("error: There is no key named 'nobody' in vault myvault.vault.azure.net.", run.Error, StringComparison.Ordinal);
    }
}
