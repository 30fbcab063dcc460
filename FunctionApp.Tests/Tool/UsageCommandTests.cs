using System.Globalization;
using System.Text.Json;
using FunctionsApiKey.LastUse;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// <c>usage NAME</c> and the TODAY column of <c>list</c>, read by the real tool from the usage table in Azurite through
/// the app's identity-based storage settings: hours summed over instances, the range of --days, and a clear error with
/// its exit code for an unknown key, a bad --days, no table in the settings, and a table that cannot be reached.
/// </summary>
public sealed class UsageCommandTests(UsageFixture fixture) : IClassFixture<UsageFixture>
{
    [Fact]
    public async Task JsonGivesEachHourSummedOverInstancesAndTheTotalsOfTheRange()
    {
        var run = (await RunAsync(StorageEnvironment(), "usage", "busy", "--json")).AssertExitCode(0);

        using var report = JsonDocument.Parse(run.Output);
        var root = report.RootElement;
        Assert.Equal("busy", root.GetProperty("name").GetString());
        Assert.Equal((57L, 3L, 2L), Totals(root.GetProperty("totals")));
        var hours = root.GetProperty("hours").EnumerateArray().ToList();
        Assert.Equal([fixture.ThisHour.AddDays(-1), fixture.ThisHour], hours.Select(h => h.GetProperty("hour").GetDateTimeOffset()));
        Assert.Equal((17L, 3L, 2L), Totals(hours[1]));
        Assert.Equal(fixture.ThisHour.Date.AddDays(1), root.GetProperty("to").GetDateTimeOffset().UtcDateTime);
        Assert.Equal(fixture.ThisHour.Date.AddDays(-6), root.GetProperty("from").GetDateTimeOffset().UtcDateTime);
    }

    [Fact]
    public async Task DaysNarrowsTheRange()
    {
        var run = (await RunAsync(StorageEnvironment(), "usage", "busy", "--days", "1", "--json")).AssertExitCode(0);

        using var report = JsonDocument.Parse(run.Output);
        Assert.Equal((17L, 3L, 2L), Totals(report.RootElement.GetProperty("totals")));
        Assert.Single(report.RootElement.GetProperty("hours").EnumerateArray());
    }

    [Fact]
    public async Task TheChartHasALinePerDayAndKindWithItsTotal()
    {
        var run = (await RunAsync(StorageEnvironment(), "usage", "busy")).AssertExitCode(0);

        var today = fixture.ThisHour.ToString("yyyy'-'MM'-'dd", CultureInfo.InvariantCulture);
        var line = run.Row(today);
        Assert.Matches(@"allowed\s+[·▁▂▃▄▅▆▇█ ]{27}\s+17$", line);
        // Scaled to the busiest hour shown, yesterday's 40: 17 is half height, rounded up.
        Assert.Equal(23, line.Count(c => c == '·'));
        Assert.Contains("▄", line, StringComparison.Ordinal);
        var yesterday = fixture.ThisHour.AddDays(-1).ToString("yyyy'-'MM'-'dd", CultureInfo.InvariantCulture);
        Assert.Matches(@"allowed\s+[·█ ]{27}\s+40$", run.Row(yesterday));
        Assert.Single(run.OutputLines, l => l.Contains("denied", StringComparison.Ordinal) && l.EndsWith(" 3", StringComparison.Ordinal));
        Assert.Equal(7, run.OutputLines.Count(l => l.Contains("over limit", StringComparison.Ordinal)));
        Assert.All(run.OutputLines, l => Assert.True(l.Length <= 80, $"Wider than 80 columns: {l}"));
        Assert.Contains("busiest hour shown (40 requests", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyWithoutRequestsSaysSo()
    {
        var run = (await RunAsync(StorageEnvironment(), "usage", "idle", "--json")).AssertExitCode(0);

        using var report = JsonDocument.Parse(run.Output);
        Assert.Equal((0L, 0L, 0L), Totals(report.RootElement.GetProperty("totals")));
        Assert.Empty(report.RootElement.GetProperty("hours").EnumerateArray());
    }

    [Fact]
    public async Task AnUnknownKeyExitsWithNotFound()
    {
        var run = (await RunAsync(StorageEnvironment(), "usage", "nosuch")).AssertExitCode(3);

        Assert.Contains("There is no key named 'nosuch'", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("32")]
    public async Task DaysOutOfRangeIsAUsageError(string days)
    {
        var run = (await RunAsync(StorageEnvironment(), "usage", "busy", "--days", days)).AssertExitCode(2);

        Assert.Contains($"--days {days} is out of range: give 1 to 31.", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task SettingsWithoutATableAreAUsageError()
    {
        var run = (await RunAsync(fixture.Environment(), "usage", "busy")).AssertExitCode(2);

        Assert.Contains("The app's settings name no usage table", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATableThatCannotBeReachedExitsWithUnreachable()
    {
        var environment = StorageEnvironment();
        environment["AzureWebJobsStorage__tableServiceUri"] = "https://127.0.0.1:1/devstoreaccount1";

        var run = (await RunAsync(environment, "usage", "busy")).AssertExitCode(6);

        Assert.Contains($"The usage table '{LastUseDefaults.UsageTableName}' cannot be reached:", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListCountsEachKeysRequestsToday()
    {
        var table = (await RunAsync(StorageEnvironment(), "list")).AssertExitCode(0);
        var json = (await RunAsync(StorageEnvironment(), "list", "--json")).AssertExitCode(0);

        Assert.Contains("TODAY", table.OutputLines.First(l => l.Contains("NAME", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Matches(@"\s22$", table.Row("busy"));
        Assert.Matches(@"\s0$", table.Row("idle"));
        using var keys = JsonDocument.Parse(json.Output);
        var today = keys.RootElement.EnumerateArray().ToDictionary(k => k.GetProperty("name").GetString()!, k => k.GetProperty("requestsToday").GetInt64());
        Assert.Equal(22, today["busy"]);
        Assert.Equal(0, today["idle"]);
    }

    [Fact]
    public async Task ListWithoutATableHasNoRequestsToday()
    {
        var json = (await RunAsync(fixture.Environment(), "list", "--json")).AssertExitCode(0);

        using var keys = JsonDocument.Parse(json.Output);
        Assert.All(keys.RootElement.EnumerateArray(), k => Assert.False(k.TryGetProperty("requestsToday", out _)));
    }

    private static (long, long, long) Totals(JsonElement element) =>
        (element.GetProperty("allowed").GetInt64(), element.GetProperty("denied").GetInt64(), element.GetProperty("overLimit").GetInt64());

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
