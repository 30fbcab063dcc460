using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.RegularExpressions;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.LastUse;
using FunctionsApiKey.Policies;
using FunctionsApiKey.Redis;
using FunctionsApiKey.SharedRing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// What the packages emit, as the alerts and the workbook may name it: the instruments and their tags from the metrics
/// table of docs/monitoring.md (which must match the meter the packages create), and the log events from the packages'
/// <c>[LoggerMessage]</c> methods. A query that names anything else reads nothing in Azure.
/// </summary>
internal static partial class TelemetryContract
{
    /// <summary>
    /// The custom dimensions the Azure Monitor exporter gives every log line besides the message's placeholders
    /// (Azure.Monitor.OpenTelemetry.Exporter: the logger's category, the event id and the event name).
    /// </summary>
    public static readonly string[] LogDimensions = ["CategoryName", "EventId", "EventName"];

    private static readonly Assembly[] Packages =
        [typeof(ApiKeyDefaults).Assembly, typeof(KeyVaultApiKeyDefaults).Assembly, typeof(SharedRingDefaults).Assembly, typeof(LastUseOptions).Assembly, typeof(RedisRateLimitOptions).Assembly];

    /// <summary>The log categories the packages write under.</summary>
    public static readonly string[] Categories =
        [ApiKeyDefaults.GateLogCategory, ApiKeyDefaults.KeyRingLogCategory, ApiKeyDefaults.SettingsLogCategory, KeyVaultApiKeyDefaults.LogCategory, SharedRingDefaults.LogCategory];

    /// <summary>Each documented instrument and its documented tags (docs/monitoring.md, "Metrics").</summary>
    public static Dictionary<string, HashSet<string>> DocumentedInstruments() =>
        File.ReadAllLines(Path.Combine(BicepCli.RepositoryRoot, "docs", "monitoring.md"))
            .Select(line => InstrumentRow().Match(line))
            .Where(match => match.Success)
            .ToDictionary(
                match => match.Groups["name"].Value,
                match => Backticked().Matches(match.Groups["tags"].Value).Select(m => m.Groups[1].Value).Where(t => t.Contains('.', StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal),
                StringComparer.Ordinal);

    /// <summary>The instruments the packages create on their meter, observed as the packages' own classes create them.</summary>
    public static HashSet<string> MeterInstruments()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == ApiKeyDefaults.MeterName)
                {
                    lock (names)
                    {
                        names.Add(instrument.Name);
                    }
                }
            },
        };
        listener.Start();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        _ = new ApiKeyMetrics(meterFactory, new KeyRingProvider(TimeProvider.System), TimeProvider.System);
        _ = new SharedRingMetrics(meterFactory);
        using var refiller = new RateLimitBudgetRefiller(new SharedRateLimits(new RedisBudgetStore(new RedisRateLimitOptions(), null, TimeProvider.System)), TimeProvider.System, meterFactory, NullLoggerFactory.Instance);
        return names;
    }

    /// <summary>Every event the packages log: id, name, level and the placeholders of its message.</summary>
    public static List<LoggedEvent> Events() =>
        [.. Packages
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(a => new LoggedEvent(a.EventId, a.EventName ?? string.Empty, a.Level, [.. Placeholder().Matches(a.Message).Select(m => m.Groups[1].Value)]))];

    /// <summary>The event of this name; its id is what a query must filter on.</summary>
    public static LoggedEvent Event(string name) => Events().Single(e => e.Name == name);

    /// <summary>The name the metrics and log lines give an outcome (<c>apikey.outcome</c>, the reasons in log lines).</summary>
    public static string Outcome(ApiKeyOutcome outcome) => OutcomeNames.Of(outcome);

    // | `apikey.decisions` | Counter | `{decision}` | `apikey.outcome`, `faas.name`, … |
    [GeneratedRegex(@"^\|\s*`(?<name>apikey\.[a-z.]+)`\s*\|[^|]*\|[^|]*\|(?<tags>[^|]*)\|")]
    private static partial Regex InstrumentRow();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"\{(\w+)(?::[^}]*)?\}")]
    private static partial Regex Placeholder();
}

/// <summary>One event the packages log.</summary>
internal sealed record LoggedEvent(int Id, string Name, LogLevel Level, IReadOnlyList<string> Placeholders);
