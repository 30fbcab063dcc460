using System.Text.Json;
using FunctionsApiKey.LastUse;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// <c>list</c> and <c>show</c> read the last-use table the app writes when its settings name it
/// (<c>ApiKeys__LastUseTable</c>), here in Azurite through the app's identity-based storage settings, and still answer
/// when the table cannot be reached, saying why.
/// </summary>
public sealed class LastUseColumnTests(LastUseFixture fixture) : IClassFixture<LastUseFixture>
{
    [Fact]
    public async Task ListShowsWhenEachKeyWasLastUsed()
    {
        var run = (await RunAsync(StorageEnvironment(), "list")).AssertExitCode(0);

        // The TODAY column follows: no request today in this fixture's usage table.
        Assert.Matches($@" {ToolOutput.Time(LastUseFixture.Used)}\s+0$", run.Row("used"));
        Assert.Matches(@" never\s+0$", run.Row("unused"));
        Assert.DoesNotContain("Last use is not shown", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShowAndJsonGiveTheSameTime()
    {
        var show = (await RunAsync(StorageEnvironment(), "show", "used")).AssertExitCode(0);
        var json = (await RunAsync(StorageEnvironment(), "list", "--json")).AssertExitCode(0);

        Assert.Matches($@"^Last used\s+{ToolOutput.Time(LastUseFixture.Used)}$", show.Row("Last used"));
        using var keys = JsonDocument.Parse(json.Output);
        var lastUsed = keys.RootElement.EnumerateArray().ToDictionary(k => k.GetProperty("name").GetString()!, k => k.GetProperty("lastUsed"));
        Assert.Equal(LastUseFixture.Used, lastUsed["used"].GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, lastUsed["unused"].ValueKind);
    }

    [Fact]
    public async Task ATableThatCannotBeReachedLeavesTheColumnEmptyAndSaysWhy()
    {
        var environment = StorageEnvironment();
        environment["AzureWebJobsStorage__tableServiceUri"] = "https://127.0.0.1:1/devstoreaccount1";

        var run = (await RunAsync(environment, "list")).AssertExitCode(0);

        Assert.Matches(@" never\s+-$", run.Row("used"));
        Assert.Contains($"Requests today are not shown. The usage table '{LastUseDefaults.UsageTableName}' cannot be reached:", run.Error, StringComparison.Ordinal);
        Assert.Contains($"Last use is not shown. The last-use table '{LastUseDefaults.TableName}' cannot be reached:", run.Error, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> StorageEnvironment()
    {
        var environment = fixture.Environment();
        foreach (var (name, value) in fixture.Azure.StorageSettings())
        {
            environment[name] = value;
        }

        environment["ApiKeys__LastUseTable"] = LastUseDefaults.TableName;
        return environment;
    }

    private static Task<ProcessRun> RunAsync(Dictionary<string, string?> environment, params string[] arguments) => ApiKeysTool.RunAsync(environment, arguments);
}
