using System.Text.Json;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// <c>dotnet apikeys list</c> over a vault with a key in each state: a table or JSON of the keys (and nothing of other
/// secrets, nor any value or hash), keys expiring within 14 days flagged; nothing about last use unless the app's settings
/// name a last-use table, and with one but no storage connection, an empty last-use column with the reason on standard
/// error.
/// </summary>
public sealed class ListCommandTests(SeededVaultFixture fixture) : IClassFixture<SeededVaultFixture>
{
    [Fact]
    public async Task TheTableShowsEveryKeyAndFlagsTheOneThatExpiresSoon()
    {
        var created = fixture.Vault.StoredSecret("apikey-active")!.Created;

        var run = (await fixture.RunAsync("list")).AssertExitCode(0);

        Assert.Matches(@"^NAME\s+SCOPES\s+ENABLED\s+NOT BEFORE\s+EXPIRES\s+CREATED$", run.OutputLines[0]);
        Assert.Matches($@"^active\s+SecureEndpoint reports\s+yes\s+-\s+{ToolOutput.Time(fixture.LongLived)}\s+{ToolOutput.Time(created)}$", run.Row("active"));
        Assert.Contains($"{ToolOutput.Time(fixture.ExpiringSoon)} (in 5 d)", run.Row("soon"), StringComparison.Ordinal);
        Assert.Contains($"{ToolOutput.Time(fixture.Expired)} (expired)", run.Row("expired"), StringComparison.Ordinal);
        Assert.Contains("no (revoked)", run.Row("revoked"), StringComparison.Ordinal);
        Assert.Matches($@"^future\s+\(every function\)\s+yes\s+{ToolOutput.Time(fixture.NotYetValid)}\s+-\s", run.Row("future"));
        Assert.Contains("(every function)", run.Row("active-v2"), StringComparison.Ordinal);
        Assert.DoesNotContain("unrelated", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("sha256", run.Output, StringComparison.Ordinal);

        Assert.Contains($"Warning: 1 key(s) expire within 14 days: soon ({ToolOutput.Time(fixture.ExpiringSoon)}). Rotate them: dotnet apikeys rotate NAME.", run.Error, StringComparison.Ordinal);
        Assert.Contains($"{SeededVaultFixture.KeyCount} key(s) in vault myvault.vault.azure.net.", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonListsEveryKeyWithItsPropertiesAndNothingElse()
    {
        var run = (await fixture.RunAsync("list", "--json")).AssertExitCode(0);

        using var json = JsonDocument.Parse(run.Output);
        var keys = json.RootElement.EnumerateArray().ToDictionary(k => k.GetProperty("name").GetString()!);
        Assert.Equal(["active", "active-v2", "expired", "future", "revoked", "soon"], keys.Keys);
        Assert.All(keys.Values, k => Assert.Equal(
            ["name", "scopes", "enabled", "notBefore", "expiresOn", "created", "rotatedFrom", "leftOut", "properties"],
            k.EnumerateObject().Select(p => p.Name)));

        var active = keys["active"];
        Assert.Equal(["SecureEndpoint", "reports"], active.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.True(active.GetProperty("enabled").GetBoolean());
        Assert.Equal(fixture.LongLived, active.GetProperty("expiresOn").GetDateTimeOffset());
        Assert.Equal(fixture.Vault.StoredSecret("apikey-active")!.Created, active.GetProperty("created").GetDateTimeOffset(), TimeSpan.FromSeconds(1));
        Assert.False(keys["revoked"].GetProperty("enabled").GetBoolean());
        Assert.Equal(fixture.NotYetValid, keys["future"].GetProperty("notBefore").GetDateTimeOffset());
        Assert.Empty(keys["future"].GetProperty("scopes").EnumerateArray());
        Assert.Equal("active", keys["active-v2"].GetProperty("rotatedFrom").GetString());
        Assert.Contains("Warning: 1 key(s) expire within 14 days: soon", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAppWhoseSettingsNameNoLastUseTableGetsNoLastUseColumnAndNoWarning()
    {
        // What every new app's local.settings.json holds: were the tool to read last use by default, it would try Azurite here.
        var environment = fixture.Environment();
        environment["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";

        var table = (await ApiKeysTool.RunAsync(environment, ["list"])).AssertExitCode(0);
        var json = (await ApiKeysTool.RunAsync(environment, ["list", "--json"])).AssertExitCode(0);

        Assert.DoesNotContain("LAST USED", table.OutputLines[0], StringComparison.Ordinal);
        Assert.Equal(SeededVaultFixture.KeyCount, table.OutputLines.Count - 2);
        using var keys = JsonDocument.Parse(json.Output);
        Assert.All(keys.RootElement.EnumerateArray(), key => Assert.False(key.TryGetProperty("lastUsed", out _)));
        Assert.All([table.Error, json.Error], error => Assert.DoesNotContain("last use", error, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("10002", table.Error + json.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithALastUseTableButNoStorageConnectionItStillListsAndSaysWhyNoLastUseIsShown()
    {
        var environment = fixture.Environment();
        environment["ApiKeys__LastUseTable"] = "apikeylastuse";

        var run = (await ApiKeysTool.RunAsync(environment, ["list"])).AssertExitCode(0);

        Assert.Matches(@"LAST USED\s+TODAY$", run.OutputLines[0]);
        var rows = run.OutputLines.Skip(2).ToList();
        Assert.Equal(SeededVaultFixture.KeyCount, rows.Count);
        Assert.All(rows, row => Assert.Matches(@" never\s+-$", row));
        Assert.Contains("Requests today are not shown: the storage connection 'AzureWebJobsStorage'", run.Error, StringComparison.Ordinal);
        Assert.Contains("Last use is not shown: the storage connection 'AzureWebJobsStorage' (ApiKeys:LastUseConnection) is not configured: set it to a connection string, or set AzureWebJobsStorage__tableServiceUri.", run.Error, StringComparison.Ordinal);
    }
}
