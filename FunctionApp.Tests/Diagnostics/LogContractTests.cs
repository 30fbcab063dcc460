using System.Reflection;
using System.Text.RegularExpressions;
using FunctionApp.Tests.Packaging;
using FunctionsApiKey;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.LastUse;
using FunctionsApiKey.Redis;
using FunctionsApiKey.SharedRing;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Tests.Diagnostics;

/// <summary>
/// The packages' event ids are a contract that dashboards and filters rely on (docs/monitoring.md): every log line the
/// packages can write has a unique id, and the document lists it with the same name and level, so a renumbered,
/// renamed or undocumented event fails here rather than in someone's alert.
/// </summary>
public sealed partial class LogContractTests
{
    private static readonly Assembly[] Packages =
        [typeof(ApiKeyDefaults).Assembly, typeof(KeyVaultApiKeyDefaults).Assembly, typeof(SharedRingDefaults).Assembly, typeof(LastUseOptions).Assembly, typeof(RedisRateLimitOptions).Assembly];

    [Fact]
    public void EveryEventThePackagesLogIsDocumentedWithItsIdNameAndLevel()
    {
        var events = LoggedEvents();
        var documented = DocumentedEvents();

        Assert.True(events.Count >= 25, $"Expected the packages' log messages, found {events.Count}.");
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        Assert.Equal(
            events.OrderBy(e => e.Id).Select(e => $"{e.Id} {e.Name} {e.Level}"),
            documented.OrderBy(e => e.Id).Select(e => $"{e.Id} {e.Name} {e.Level}"));
    }

    [Fact]
    public void TheDocumentedCategoriesAreTheOnesThePackagesLogUnder()
    {
        var text = File.ReadAllText(MonitoringDoc());

        Assert.All(
            [ApiKeyDefaults.GateLogCategory, ApiKeyDefaults.KeyRingLogCategory, ApiKeyDefaults.SettingsLogCategory, KeyVaultApiKeyDefaults.LogCategory, SharedRingDefaults.LogCategory],
            category => Assert.Contains($"| `{category}` |", text, StringComparison.Ordinal));
    }

    private static List<(int Id, string Name, LogLevel Level)> LoggedEvents() =>
        [.. Packages
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(a => (a.EventId, a.EventName ?? string.Empty, a.Level))];

    private static List<(int Id, string Name, LogLevel Level)> DocumentedEvents() =>
        [.. File.ReadAllLines(MonitoringDoc())
            .Select(line => EventRow().Match(line))
            .Where(match => match.Success)
            .Select(match => (int.Parse(match.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups["name"].Value, Enum.Parse<LogLevel>(match.Groups["level"].Value)))];

    private static string MonitoringDoc() => Path.Combine(PackageFeed.RepositoryRoot, "docs", "monitoring.md");

    // A row of the log table: | category or nothing | id | name | level | message |
    [GeneratedRegex(@"^\|[^|]*\|\s*(?<id>\d+)\s*\|\s*(?<name>\w+)\s*\|\s*(?<level>Trace|Debug|Information|Warning|Error|Critical)\s*\|")]
    private static partial Regex EventRow();
}
