using System.Text.Json;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// <c>dotnet apikeys list</c> over a vault with a key in each state: a table or JSON of the keys (and nothing of other
/// secrets, nor any value or hash), keys expiring within 14 days flagged, and without a storage connection an empty
/// last-use column with the reason on standard error.
/// </summary>
public sealed class ListCommandTests(SeededVaultFixture fixture) : IClassFixture<SeededVaultFixture>
{
    [Fact]
    public async Task TheTableShowsEveryKeyAndFlagsTheOneThatExpiresSoon()
    {
        var created = fixture.Vault.StoredSecret("apikey-active")!.Created;

        var run = (await fixture.RunAsync("list")).AssertExitCode(0);

        Assert.Matches(@"^NAME\s+SCOPES\s+ENABLED\s+NOT BEFORE\s+EXPIRES\s+CREATED\s+LAST USED$", run.OutputLines[0]);
        Assert.Matches($@"^active\s+SecureEndpoint reports\s+yes\s+-\s+{ToolOutput.Time(fixture.LongLived)}\s+{ToolOutput.Time(created)}\s+never$", run.Row("active"));
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
            ["name", "scopes", "enabled", "notBefore", "expiresOn", "created", "lastUsed", "rotatedFrom"],
            k.EnumerateObject().Select(p => p.Name)));

        var active = keys["active"];
        Assert.Equal(["SecureEndpoint", "reports"], active.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.True(active.GetProperty("enabled").GetBoolean());
        Assert.Equal(fixture.LongLived, active.GetProperty("expiresOn").GetDateTimeOffset());
        Assert.Equal(fixture.Vault.StoredSecret("apikey-active")!.Created, active.GetProperty("created").GetDateTimeOffset(), TimeSpan.FromSeconds(1));
        Assert.Equal(JsonValueKind.Null, active.GetProperty("lastUsed").ValueKind);
        Assert.False(keys["revoked"].GetProperty("enabled").GetBoolean());
        Assert.Equal(fixture.NotYetValid, keys["future"].GetProperty("notBefore").GetDateTimeOffset());
        Assert.Empty(keys["future"].GetProperty("scopes").EnumerateArray());
        Assert.Equal("active", keys["active-v2"].GetProperty("rotatedFrom").GetString());
        Assert.Contains("Warning: 1 key(s) expire within 14 days: soon", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAStorageConnectionItStillListsAndSaysWhyNoLastUseIsShown()
    {
        var run = (await fixture.RunAsync("list")).AssertExitCode(0);

        var rows = run.OutputLines.Skip(2).ToList();
        Assert.Equal(SeededVaultFixture.KeyCount, rows.Count);
        Assert.All(rows, row => Assert.EndsWith(" never", row, StringComparison.Ordinal));
        Assert.Contains("Last use is not shown: no storage connection 'AzureWebJobsStorage' is configured (set AzureWebJobsStorage or AzureWebJobsStorage__tableServiceUri).", run.Error, StringComparison.Ordinal);
    }
}
